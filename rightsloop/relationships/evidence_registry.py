"""What relationships add to the board view (O1): agreement reviews and rating rounds under question 5
(evidence.py)."""


def register() -> None:
    from rightsloop.core.evidence import Question
    from rightsloop.core.registry import EvidenceSource, site

    from . import evidence

    site.add_evidence(EvidenceSource(key=evidence.SOURCE_KEY, question=Question.MONITORING,
                                     collect=evidence.collect, order=30))
