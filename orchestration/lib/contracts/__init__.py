"""The contracts every layer shares: what a parsed record and a reject are (records), and the generic
landing contract's headers and reference catalogue (generic). No Dagster definitions, no I/O."""
