{{ reference_with_override('guard_acknowledgements', {
    'signal_type': 'string',
    'entity_id': 'string',
    'period_start': 'date',
    'reason': 'string',
}) }}
