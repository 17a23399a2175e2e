{{ reference_with_override('velocity_programme', {
    'programme': 'string',
    'baseline_start': 'date',
    'baseline_end': 'date',
    'target_tiers': 'string',
}) }}
