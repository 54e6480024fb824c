"""What the grievance mechanism adds to the board view (O1): its channel under question 2, the review of its
effectiveness under question 5 (evidence.py)."""


def register() -> None:
    from rightsloop.core.evidence import Question
    from rightsloop.core.registry import EvidenceSource, site

    from . import evidence

    site.add_evidence(EvidenceSource(key=evidence.MECHANISM_KEY, question=Question.MECHANISMS,
                                     collect=evidence.mechanism, order=40))
    site.add_evidence(EvidenceSource(key=evidence.EFFECTIVENESS_KEY, question=Question.MONITORING,
                                     collect=evidence.effectiveness, order=40))
