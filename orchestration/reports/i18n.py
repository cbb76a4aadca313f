"""Every word of a report in the two languages clients read (French, English). A client whose
`language_code` is another language gets English; missing keys fail the tests, not a report."""

from __future__ import annotations

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

STRINGS: dict[str, dict[str, str]] = {
    # titles
    "title_quarter": {
        "en": "Quarterly business review",
        "fr": "Revue trimestrielle d'activité",
    },
    "title_month": {"en": "Monthly service review", "fr": "Revue de service mensuelle"},
    "prepared_for": {"en": "Prepared for", "fr": "Préparé pour"},
    "period": {"en": "Period", "fr": "Période"},
    "period_to_date": {
        "en": "to date: the period is not over (figures up to {as_of})",
        "fr": "à date : la période n'est pas terminée (chiffres jusqu'au {as_of})",
    },
    "partial_period": {
        "en": "served {served} of {total} months of the period",
        "fr": "servi {served} mois sur {total} de la période",
    },
    "compared_with": {"en": "compared with {previous}", "fr": "comparé à {previous}"},
    "no_previous": {
        "en": "no previous period to compare with",
        "fr": "pas de période précédente à comparer",
    },
    # sections
    "headlines": {"en": "Key figures", "fr": "Chiffres clés"},
    "trends": {"en": "Trends over 12 months", "fr": "Tendances sur 12 mois"},
    "sla_by_priority": {"en": "SLA compliance by priority", "fr": "Respect des SLA par priorité"},
    "about": {"en": "How to read this report", "fr": "Comment lire ce rapport"},
    "about_text": {
        "en": (
            "Each figure is compared with the previous {period_kind} (change in points for rates). "
            "Benchmarks: SLA compliance is best in class from 95 %; client satisfaction is on "
            "target from 75 % positive answers and best in class from 90 %; mature providers "
            "aim for fewer than one ticket per endpoint a month. Times are business minutes of "
            "the SLA calendar, net of pauses."
        ),
        "fr": (
            "Chaque chiffre est comparé {period_kind_fr} précédent (écart en points pour les "
            "taux). Références : le respect des SLA est excellent à partir de 95 % ; la "
            "satisfaction client est dans l'objectif à partir de 75 % de réponses positives et "
            "excellente à partir de 90 % ; les prestataires matures visent moins d'un ticket par "
            "terminal et par mois. Les délais sont en minutes ouvrées du calendrier SLA, hors "
            "pauses."
        ),
    },
    "period_kind_quarter": {"en": "quarter", "fr": "au trimestre"},
    "period_kind_month": {"en": "month", "fr": "au mois"},
    "generated": {
        "en": "Generated on {day} from {source}",
        "fr": "Généré le {day} depuis {source}",
    },
    # headline figures
    "tickets_created": {"en": "Tickets created", "fr": "Tickets créés"},
    "sla_resolution_compliance": {
        "en": "SLA compliance (resolution)",
        "fr": "Respect des SLA (résolution)",
    },
    "sla_response_compliance": {
        "en": "SLA compliance (first response)",
        "fr": "Respect des SLA (première réponse)",
    },
    "median_first_response": {
        "en": "Median first response",
        "fr": "Première réponse (médiane)",
    },
    "median_resolution": {"en": "Median resolution time", "fr": "Délai de résolution (médiane)"},
    "first_contact_resolution": {
        "en": "First-contact resolution",
        "fr": "Résolution au premier contact",
    },
    "escalation": {"en": "Escalated to tier 2+", "fr": "Escaladés au niveau 2+"},
    "csat": {"en": "Client satisfaction (CSAT)", "fr": "Satisfaction client (CSAT)"},
    "tickets_per_endpoint": {
        "en": "Tickets per endpoint per month",
        "fr": "Tickets par terminal et par mois",
    },
    "proactive_share": {"en": "Proactive tickets", "fr": "Tickets proactifs"},
    "alert_auto_remediation": {
        "en": "Alerts fixed automatically",
        "fr": "Alertes corrigées automatiquement",
    },
    "mrr": {"en": "Monthly recurring fee", "fr": "Abonnement mensuel"},
    # headline details
    "previous": {"en": "previous", "fr": "précédent"},
    "change": {"en": "change", "fr": "écart"},
    "responses": {"en": "{count} responses", "fr": "{count} réponses"},
    "tickets_of": {"en": "{num} of {den} tickets", "fr": "{num} tickets sur {den}"},
    "endpoints": {"en": "{count} endpoints", "fr": "{count} terminaux"},
    "alerts_of": {"en": "{num} of {den} alerts", "fr": "{num} alertes sur {den}"},
    "mrr_at": {"en": "at {day}", "fr": "au {day}"},
    "minutes_short": {"en": "min", "fr": "min"},
    "hours_minutes": {"en": "{hours} h {minutes:02d}", "fr": "{hours} h {minutes:02d}"},
    # benchmark status
    "status_best_in_class": {"en": "Best in class", "fr": "Excellent"},
    "status_on_target": {"en": "On target", "fr": "Dans l'objectif"},
    "status_below_target": {"en": "Below target", "fr": "Sous l'objectif"},
    "status_none": {"en": "No benchmark", "fr": "Sans référence"},
    # charts
    "chart_ticket_volume": {"en": "Tickets created", "fr": "Tickets créés"},
    "chart_sla": {"en": "SLA compliance (resolution)", "fr": "Respect des SLA (résolution)"},
    "chart_csat": {"en": "Client satisfaction (CSAT)", "fr": "Satisfaction client (CSAT)"},
    "chart_proactive": {
        "en": "Proactive vs reactive tickets",
        "fr": "Tickets proactifs et réactifs",
    },
    "proactive": {"en": "Proactive", "fr": "Proactifs"},
    "reactive": {"en": "Reactive", "fr": "Réactifs"},
    "best_in_class_line": {"en": "best in class", "fr": "excellent"},
    "target_line": {"en": "target", "fr": "objectif"},
    "current_period": {"en": "this period", "fr": "période"},
    # SLA table
    "priority": {"en": "Priority", "fr": "Priorité"},
    "resolved_within_sla": {"en": "Resolved within SLA", "fr": "Résolus dans les délais"},
    "resolved_with_sla": {"en": "Resolved with an SLA", "fr": "Résolus avec SLA"},
    "compliance": {"en": "Compliance", "fr": "Respect"},
    "breached_open": {"en": "Open past deadline", "fr": "Ouverts hors délai"},
}


def language_of(language_code: str | None) -> str:
    """The report language for a client's `language_code`: French or English."""
    code = (language_code or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, language: str, **values: object) -> str:
    """The string `key` in `language`, with `values` filled in; a missing key raises KeyError so
    that a test catches it before a client sees a blank."""
    text = STRINGS[key][language]
    return text.format(**values) if values else text
