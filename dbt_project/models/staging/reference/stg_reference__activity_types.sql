{{ reference_with_override('activity_types', {
    'activity_type': 'varchar',
    'is_active': 'boolean',
    'is_value_deriving': 'boolean',
    'tools': 'varchar',
    'description': 'varchar',
}) }}
