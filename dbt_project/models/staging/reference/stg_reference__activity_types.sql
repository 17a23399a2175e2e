{{ reference_with_override('activity_types', {
    'activity_type': 'string',
    'is_active': 'boolean',
    'is_value_deriving': 'boolean',
    'tools': 'string',
    'description': 'string',
}) }}
