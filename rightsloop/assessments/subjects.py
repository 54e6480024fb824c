"""What assessments hold about one stakeholder, for subject access exports and erasure (X5).

A stakeholder appears in an assessment as a local partner (their role and working languages), as someone who
attended a training session, and as the one who asked a question there. Erasure keeps that the assessment had
a partner in that role (the partner row points at the erased, anonymous stakeholder and is named by pseudonym),
and clears the person's languages and the questions they asked, with their answers: a question can say who
asked it.
"""

from .models import AssessmentPartner, TrainingQuestion


def export(stakeholder) -> dict:
    partners = (AssessmentPartner.objects.filter(stakeholder=stakeholder).select_related("assessment")
                .prefetch_related("sessions_attended").order_by("added_at", "id"))
    asked = (TrainingQuestion.objects.filter(asked_by__stakeholder=stakeholder).select_related("session")
             .order_by("created_at", "id"))
    return {
        "partnerships": [{
            "assessment": partner.assessment.title, "role": partner.role, "languages": partner.languages,
            "added_on": partner.added_at.date().isoformat(),
            "trainings_attended": [{"title": session.title, "held_on": session.held_on.isoformat()}
                                   for session in partner.sessions_attended.all()],
        } for partner in partners],
        "questions_asked": [{"session": question.session.title, "question": question.question,
                             "answer": question.answer} for question in asked],
    }


def erase(stakeholder) -> int:
    """Clear the person's working languages and the questions they asked; the partnership's role stays."""
    cleared = TrainingQuestion.objects.filter(asked_by__stakeholder=stakeholder).update(
        question_sealed=b"", answer_sealed=b"", asked_by=None)
    cleared += AssessmentPartner.objects.filter(stakeholder=stakeholder).exclude(languages=[]).update(languages=[])
    return cleared
