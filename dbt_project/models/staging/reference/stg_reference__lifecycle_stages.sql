{{ reference_with_override('lifecycle_stages', {
    'lifecycle_stage': 'varchar',
    'stage_order': 'integer',
    'description': 'varchar',
}) }}
