{{ reference_with_override('metric_vars', {
    'name': 'string',
    'value': 'double',
    'meaning': 'string',
}, merge_key='name') }}
