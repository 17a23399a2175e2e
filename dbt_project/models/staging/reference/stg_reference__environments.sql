{{ reference_with_override('environments', {
    'environment': 'varchar',
    'is_production': 'boolean',
}) }}
