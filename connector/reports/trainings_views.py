"""Trainings on the household page: the agent's form (POST here) and the list (a template global)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from connector.auth.sessions import login_required
from connector.errors import ValidationFailed
from connector.reports.models import Training
from connector.reports.trainings import COMMON_TOPICS, local_today, record_training, trainings_of

bp = Blueprint("trainings", __name__)


@bp.route("/households/<int:household_id>/trainings", methods=["POST"])
@login_required("trainings.record")
def record(household_id: int):
    try:
        training = record_training(current_user, household_id, request.form.get("trained_on", ""),
                                   request.form.get("topic", ""))
    except ValidationFailed as failure:
        # Back to the household page, which says why (the request's end undoes nothing written).
        flash(" ".join([str(failure.message), failure.text()]), "error")
        return redirect(url_for("households.detail", household_id=household_id) + "#trainings")
    flash(_("Training recorded: %(topic)s.", topic=training.topic), "success")
    return redirect(url_for("households.detail", household_id=household_id) + "#trainings")


@bp.app_template_global()
def household_trainings(household_id: int) -> list[Training]:
    """For the household page (households cannot import reports: it is a layer below)."""
    return trainings_of(household_id)


@bp.app_template_global()
def training_topics() -> list[str]:
    return [str(topic) for topic in COMMON_TOPICS]


@bp.app_template_global()
def training_today():
    """The form's default and latest date: today in Vietnam."""
    return local_today()
