{{ reference_with_override('environments', {
    'environment': 'string',
    'is_production': 'boolean',
}) }}
