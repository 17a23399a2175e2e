{{ reference_with_override('ai_attribution_rules', {
    'rule_id': 'string',
    'kind': 'string',
    'pattern': 'string',
    'tool': 'string',
    'strength': 'string',
    'description': 'string',
}) }}
