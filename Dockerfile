FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY forum ./forum
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir -e . && useradd --system forum && mkdir -p /app/var && chown forum /app/var
USER forum
EXPOSE 8000
CMD ["forum", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
