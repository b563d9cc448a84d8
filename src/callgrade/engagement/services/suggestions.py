"""Suggestions: an employee submits one (anonymous if they wish), others support it once each,
HR moves it along its workflow (``Suggestion.NEXT``) with an answer, and an adopted one may earn
an award. Every change is audited and told to the author — an anonymous author too, in words
that name neither them nor, where others could read it, the suggestion.

Anonymity: the author is written only to ``SuggestionAuthor``; the audit event of an anonymous
submission has no actor, and nothing else records who wrote it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.engagement.models import Award, Suggestion, SuggestionAuthor, Support
from callgrade.engagement.services import EngagementError
from callgrade.people.access import HR_GROUP, employee_of, is_hr

MY_SUGGESTIONS = "/me/suggestions/"


def _both(label: Any) -> tuple[str, str]:
    """A translatable word in English and in Chinese (notifications keep both)."""
    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    return en, zh


def _state_words(state: str) -> tuple[str, str]:
    return _both(dict(Suggestion.STATES)[state])


def _tell_author(suggestion: Suggestion, *, en: str, zh: str) -> None:
    """Notify the author: who it is about, then ``en``/``zh``. For an anonymous suggestion the
    words carry no title and the link goes to the author's own list, so the notification shows
    no one which suggestion is theirs."""
    author = SuggestionAuthor.objects.filter(suggestion=suggestion).first()
    if author is None:
        return
    if suggestion.anonymous:
        what_en, what_zh = "A suggestion you made anonymously", "您匿名提交的一条建议"
        url = MY_SUGGESTIONS
    else:
        what_en = f"Your suggestion “{suggestion.title}”"
        what_zh = f"您的建议“{suggestion.title}”"
        url = f"/suggestions/{suggestion.pk}/"
    notify(author.user, en=what_en + en, zh=what_zh + zh, url=url)


def suggestion_submit(
    *, actor: Any, title: str, text: str, category: str, anonymous: bool
) -> Suggestion:
    """The acting employee submits a suggestion; HR is told of it (never of its author when
    it is anonymous)."""
    me = employee_of(actor)
    if me is None:
        raise EngagementError(_("Only employees submit suggestions."))
    title, text = title.strip(), text.strip()
    if not title:
        raise EngagementError(_("A suggestion needs a title."))
    if len(title) > 200:
        raise EngagementError(_("The title is at most 200 characters."))
    if not text:
        raise EngagementError(_("Say what you suggest."))
    if category not in dict(Suggestion.CATEGORIES):
        raise EngagementError(_("Choose a category."))
    with transaction.atomic():
        s = Suggestion.objects.create(
            title=title,
            text=text,
            category=category,
            anonymous=anonymous,
            submitter=None if anonymous else me,
        )
        SuggestionAuthor.objects.create(suggestion=s, user=actor, employee=me)
        audit(
            None if anonymous else actor,
            "suggestion_submit",
            s,
            after={"title": title, "category": category, "anonymous": anonymous},
        )
        hr = get_user_model().objects.filter(
            Q(groups__name=HR_GROUP) | Q(is_superuser=True), is_active=True
        )
        for user in hr.distinct():
            notify(
                user,
                en=f"New suggestion: {title}",
                zh=f"收到新的合理化建议：{title}",
                url=f"/suggestions/{s.pk}/",
            )
    return s


def suggestion_support(*, actor: Any, suggestion: Suggestion) -> Support:
    """The acting employee supports ``suggestion``: once, and never their own."""
    me = employee_of(actor)
    if me is None:
        raise EngagementError(_("Only employees support suggestions."))
    if SuggestionAuthor.objects.filter(suggestion=suggestion, employee=me).exists():
        raise EngagementError(_("You cannot support your own suggestion."))
    if suggestion.status in (Suggestion.DECLINED, Suggestion.IMPLEMENTED):
        raise EngagementError(_("This suggestion is settled and takes no more support."))
    try:
        with transaction.atomic():
            support = Support.objects.create(suggestion=suggestion, employee=me)
            audit(actor, "suggestion_support", suggestion, after={"supports": 1})
    except IntegrityError:
        raise EngagementError(_("You already support this suggestion.")) from None
    return support


def suggestion_move(
    *, actor: Any, suggestion: Suggestion, to: str, answer: str = "", reason: str = ""
) -> Suggestion:
    """HR moves ``suggestion`` to the state ``to`` (one ``Suggestion.NEXT`` allows), with an
    answer for everyone to read; declining needs a reason."""
    if not is_hr(actor):
        raise EngagementError(_("Only HR answers suggestions."))
    answer, reason = answer.strip(), reason.strip()
    with transaction.atomic():
        # read again under the lock: two HR members moving it at once cannot both succeed
        s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if to not in s.next_states():
            raise EngagementError(_("A suggestion in this state cannot move there."))
        if to == Suggestion.DECLINED and not reason:
            raise EngagementError(_("Declining a suggestion needs a reason."))
        before = s.status
        s.status = to
        s.status_changed_at = timezone.now()
        if answer:
            s.answer = answer
        if to == Suggestion.DECLINED:
            s.decline_reason = reason
        s.save()
        audit(actor, "suggestion_status", s, before={"status": before},
              after={"status": to, "answer": answer}, reason=reason)  # fmt: skip
        en, zh = _state_words(to)
        said = "" if s.anonymous else reason or answer  # the answer would point to it
        _tell_author(
            s,
            en=f" is now {en}." + (f" {said}" if said else ""),
            zh=f"状态已更新为：{zh}。{said}",
        )
    suggestion.refresh_from_db()
    return s


def parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise EngagementError(_("The award is an amount of money, e.g. 500.")) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise EngagementError(_("The award is an amount of money, e.g. 500.")) from None
    return amount.quantize(Decimal("0.01"))


def suggestion_award(*, actor: Any, suggestion: Suggestion, amount: str, reason: str) -> Suggestion:
    """HR records the award an adopted (or implemented) suggestion earns, with its reason.

    It is recorded on the suggestion and, for a suggestion that names its author, in the awards
    ledger (so it is paid with the month's pay). An anonymous suggestion's award stays off the
    ledger: the ledger and the pay statement are read by people who must not learn its author."""
    if not is_hr(actor):
        raise EngagementError(_("Only HR grants awards."))
    value = parse_amount(amount)
    if not reason.strip():
        raise EngagementError(_("An award needs a reason."))
    with transaction.atomic():
        s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if not s.awardable:
            raise EngagementError(_("Only an adopted suggestion earns an award."))
        before = {"amount": str(s.award_amount) if s.award_amount is not None else None}
        s.award_amount, s.award_reason = value, reason.strip()
        s.awarded_by, s.awarded_at = actor, timezone.now()
        s.save()
        audit(actor, "suggestion_award", s, before=before, after={"amount": str(value)},
              reason=s.award_reason)  # fmt: skip
        if not s.anonymous and s.submitter_id is not None:
            today = timezone.localdate()
            Award.objects.update_or_create(
                key=f"suggestion:{s.pk}",
                defaults={
                    "kind": Award.SUGGESTION, "employee_id": s.submitter_id, "rule": "suggestion",
                    "suggestion": s, "label_en": f"Suggestion: {s.title}"[:200],
                    "label_zh": f"合理化建议：{s.title}"[:200], "amount": value, "day": today,
                    "at": s.awarded_at, "events": [], "evidence": {"reason": s.award_reason},
                },
            )  # fmt: skip
        _tell_author(
            s,
            en=f" earned an award of {value}.",
            zh=f"获得奖励 {value} 元。",
        )
    suggestion.refresh_from_db()
    return s
