"""What a person at the terminal sees of a command: a progress display, a summary, a failure explained.

Everything else a run says (Dagster's event log lines, dbt's output, warnings) goes to the command's log file
under WORKDIR/logs; `--verbose` shows it as well.
"""
