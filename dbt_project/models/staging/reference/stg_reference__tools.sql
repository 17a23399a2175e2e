{{ reference_with_override('tools', {
    'tool': 'varchar',
    'vendor': 'varchar',
    'category': 'varchar',
    'lifecycle_stages': 'varchar',
    'requires_licence': 'boolean',
    'monthly_cost_usd': 'double',
    'duplicate_of': 'varchar',
    'identity_type': 'varchar',
}) }}
