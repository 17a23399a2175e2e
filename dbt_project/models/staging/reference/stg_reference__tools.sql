{{ reference_with_override('tools', {
    'tool': 'string',
    'vendor': 'string',
    'category': 'string',
    'lifecycle_stages': 'string',
    'requires_licence': 'boolean',
    'monthly_cost_usd': 'double',
    'duplicate_of': 'string',
    'identity_type': 'string',
}) }}
