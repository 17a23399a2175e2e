{{ reference_with_override('fx_rates', {
    'currency': 'string',
    'usd_per_unit': 'double',
    'description': 'string',
}) }}
