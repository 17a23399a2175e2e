{{ reference_with_override('metric_vars', {
    'name': 'varchar',
    'value': 'double',
    'meaning': 'varchar',
}, merge_key='name') }}
