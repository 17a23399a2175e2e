{{ reference_with_override('lifecycle_stages', {
    'lifecycle_stage': 'string',
    'stage_order': 'integer',
    'description': 'string',
}) }}
