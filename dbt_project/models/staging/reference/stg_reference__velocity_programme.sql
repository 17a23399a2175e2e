{{ reference_with_override('velocity_programme', {
    'programme': 'varchar',
    'baseline_start': 'date',
    'baseline_end': 'date',
    'target_tiers': 'varchar',
}) }}
