"""The desk answers on the spot: direct answers, ratings afterwards, the knowledge base and the desk's figures."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import intake, knowledge, services
from cases.actors import CITIZEN, Actor
from cases.drafts import Channel, LetterDraft
from cases.errors import NotFound, TransitionError, ValidationError
from cases.models import Case, Category, OutboxItem, Satisfaction, Unit, User
from cases.models_desk import Article, DirectAnswer
from cases.statistics import Period
from cases.statistics_desk import desk_shares
from cases.workflow import Status


def actor_for(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)


def phone_case(session: Any, policy: Any, kind: str = "consultation", email: str = "", address: str = "") -> Case:
    draft = LetterDraft(channel=Channel.PHONE, kind=kind, subject="Bus card", body="How do I get a bus card?",
                        sender_name="Zhou", sender_phone="13900000001", sender_email=email, sender_address=address)
    return intake.receive(session, policy, draft).case


def article_id(session: Any, question_start: str) -> int:
    return session.scalar(select(Article.id).where(Article.question.startswith(question_start)))


def test_a_consultation_answered_on_the_call_closes_with_the_answer_kept(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = actor_for(session, "clerk")
        case = phone_case(session, domain.policy)
        used = article_id(session, "公交卡")
        answer = services.answer_directly(session, domain.policy, case, clerk, body="Bring your ID card.",
                                          channel="call", article_ids=[used])
        session.commit()
        assert case.status == Status.CLOSED and case.satisfaction is None and case.due_date is None
        assert answer.article_ids == [used] and answer.channel == "call"
        assert case.replies[-1].channel == "phone" and case.replies[-1].status == "sent"
        assert case.replies[-1].body == "Bring your ID card."
        assert [e.action for e in case.events][-1] == "answer_directly"
        assert case.events[-1].data["articles"] == [used]


def test_only_consultations_and_help_requests_are_answered_at_the_desk(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = actor_for(session, "clerk")
        case = phone_case(session, domain.policy, kind="complaint")
        with pytest.raises(ValidationError, match="dispatch"):
            services.answer_directly(session, domain.policy, case, clerk, body="No.", channel="call")
        assert case.status == Status.RECEIVED
        help_case = phone_case(session, domain.policy, kind="help")
        services.answer_directly(session, domain.policy, help_case, clerk, body="Call 110.", channel="call")
        assert help_case.status == Status.CLOSED
        with pytest.raises(ValidationError, match="do not exist"):
            services.answer_directly(session, domain.policy, phone_case(session, domain.policy), clerk,
                                     body="x", channel="call", article_ids=[999999])


def test_an_answer_by_email_goes_out_through_the_reply_outbox(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = actor_for(session, "clerk")
        without = phone_case(session, domain.policy)
        with pytest.raises(ValidationError, match="no email"):
            services.answer_directly(session, domain.policy, without, clerk, body="Hi", channel="email")
        with pytest.raises(ValidationError, match="no postal address"):
            services.answer_directly(session, domain.policy, without, clerk, body="Hi", channel="post")
        case = phone_case(session, domain.policy, email="zhou@example.org")
        answer = services.answer_directly(session, domain.policy, case, clerk, body="Hi", channel="email")
        session.commit()
        assert answer.reply.channel == "email" and answer.reply.status == "pending"
        assert session.scalar(select(OutboxItem.id).where(OutboxItem.key == f"reply:{answer.reply.id}"))


def test_a_direct_answer_is_rated_once_and_an_unsatisfied_rating_sends_it_back_to_the_desk(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = actor_for(session, "clerk")
        case = phone_case(session, domain.policy)
        services.answer_directly(session, domain.policy, case, clerk, body="Bring your ID.", channel="call")
        services.collect_rating(session, domain.policy, case, CITIZEN, "satisfied")
        assert case.status == Status.CLOSED and case.satisfaction == Satisfaction.SATISFIED
        with pytest.raises(ValidationError, match="already been rated"):
            services.rate(session, domain.policy, case, clerk, "basically")

        other = phone_case(session, domain.policy)
        services.answer_directly(session, domain.policy, other, clerk, body="Bring your ID.", channel="call")
        services.rate(session, domain.policy, other, clerk, "unsatisfied", "Still no card.")
        assert other.status == Status.REGISTERED and other.due_date is not None
        # Back at the desk it may be answered again, or dispatched.
        services.answer_directly(session, domain.policy, other, clerk, body="Go to counter 3.", channel="call")
        assert other.status == Status.CLOSED and other.satisfaction is None
        assert len(session.scalars(select(DirectAnswer).where(DirectAnswer.case_id == other.id)).all()) == 2


def test_units_propose_articles_and_only_the_office_approves(domain: Any) -> None:
    with domain.sessions() as session:
        unit, clerk, office = (actor_for(session, n) for n in ("transport", "clerk", "supervisor"))
        draft = knowledge.ArticleDraft(question="地铁几点收班？", answer="末班车22:30。", lang="zh",
                                       review_date=date.today() + timedelta(days=5))
        row = knowledge.propose(session, unit, draft, unit_id=None, note="new timetable")
        assert row.article.unit_id == unit.unit_id and row.article.version == 0
        with pytest.raises(NotFound):
            knowledge.decide(session, clerk, row.id, True)
        with pytest.raises(NotFound):
            knowledge.decide(session, unit, row.id, True)
        knowledge.decide(session, office, row.id, True)
        article = row.article
        assert article.version == 1 and article.question == "地铁几点收班？"
        assert session.scalar(select(OutboxItem.id).where(OutboxItem.topic == knowledge.INDEX_ARTICLE,
                                                          OutboxItem.key == str(article.id)))
        change = knowledge.propose(session, unit, knowledge.ArticleDraft(
            question="地铁几点收班？", answer="末班车23:00。", lang="zh"), article_id=article.id)
        assert article.answer == "末班车22:30。"  # a proposal changes nothing until approved
        knowledge.decide(session, office, change.id, True)
        assert article.version == 2 and article.answer == "末班车23:00。"
        with pytest.raises(ValidationError, match="already been decided"):
            knowledge.decide(session, office, change.id, False)
        housing = actor_for(session, "housing")
        with pytest.raises(NotFound):  # another unit's article
            knowledge.propose(session, housing, draft, article_id=article.id)
        due = knowledge.due_for_review(session, unit.unit_id, domain.policy.today())
        assert article not in due  # the approved change set no review date
        with pytest.raises(ValidationError):
            knowledge.propose(session, unit, knowledge.ArticleDraft(question="q", answer="a", lang="fr"))


def test_articles_nearing_their_review_date_are_listed_for_their_unit(domain: Any) -> None:
    with domain.sessions() as session:
        today = domain.policy.today()
        transport = session.scalar(select(Unit.id).where(Unit.name == "Transport Bureau"))
        housing = session.scalar(select(Unit.id).where(Unit.name == "Housing and Urban-Rural Development Bureau"))
        due = knowledge.due_for_review(session, transport, today)
        assert [a.question for a in due] == ["公交卡（市民卡）怎么办理？"]  # 20 days; the Spanish one is in 200
        assert knowledge.due_for_review(session, housing, today) == []
        assert len(knowledge.due_for_review(session, housing, today, days=100)) == 1


def test_the_desk_share_counts_direct_answers_overall_and_per_category(domain: Any) -> None:
    with domain.sessions() as session:
        clerk = actor_for(session, "clerk")
        health = session.scalar(select(Category).where(Category.name == "Health"))
        cases = [phone_case(session, domain.policy) for _ in range(3)]
        for case in cases:
            services.register(session, domain.policy, case, clerk, category_id=health.id)
        services.answer_directly(session, domain.policy, cases[0], clerk, body="Answer", channel="call")
        services.answer_directly(session, domain.policy, cases[1], clerk, body="Answer", channel="call")
        services.rate(session, domain.policy, cases[1], clerk, "unsatisfied")  # back at the desk: not answered
        session.commit()
        today = domain.policy.today()
        overall, per_category = desk_shares(session, Period(today - timedelta(days=1), today + timedelta(days=1)),
                                            domain.policy.timezone)
        assert overall.direct == 1 and overall.cases == len(session.scalars(select(Case.id)).all())
        row = next(r for r in per_category if r.category == "Health")
        assert (row.cases, row.direct) == (3, 1) and row.share == pytest.approx(1 / 3)


def test_a_unit_cannot_answer_directly(domain: Any) -> None:
    with domain.sessions() as session:
        unit = actor_for(session, "transport")
        case = phone_case(session, domain.policy)
        case.unit_id = unit.unit_id
        with pytest.raises(TransitionError, match="may not take the action “answer_directly”"):
            services.answer_directly(session, domain.policy, case, unit, body="x", channel="call")
