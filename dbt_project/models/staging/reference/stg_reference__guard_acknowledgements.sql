{{ reference_with_override('guard_acknowledgements', {
    'signal_type': 'varchar',
    'entity_id': 'varchar',
    'period_start': 'date',
    'reason': 'varchar',
}) }}
