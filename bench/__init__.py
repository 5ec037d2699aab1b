"""The forum's benchmark: seed a large forum fast, serve it as in production, load it, report ratios.

Run ``python -m bench --quick`` (a tenth of the full data set) or ``python -m bench --full``.
Every figure is measured on whole server processes from a separate load process on loopback,
side by side with a bare Starlette endpoint (the framework's ceiling on this machine), because
on a shared machine an absolute number alone says little and a ratio measured in one run says more.

Modules: ``text`` (generated post text), ``bulk`` (bulk inserts, indexes rebuilt at the end),
``seed`` (the data set), ``server`` (uvicorn processes and their CPU and memory), ``ceiling``
(the bare endpoint), ``load`` (wrk, or a Python load generator when wrk is missing),
``scenarios`` (what is loaded, as whom), ``report`` (tables and targets), ``profile`` (py-spy),
``run`` (one whole run).
"""
