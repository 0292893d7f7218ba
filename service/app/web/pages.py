"""The review pages: sign in, list articles and batches, read, correct and sign off."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from service.app.api.edits import EDIT_ERROR_STATUS
from service.app.auth import (
    SESSION_COOKIE,
    NotAuthenticatedError,
    Principal,
    current_principal,
    presented_key,
    session_token,
    visible,
)
from service.app.csrf import CSRF_FIELD, csrf_token, csrf_valid
from service.app.deps import SessionDep
from service.app.schemas import clean_sentence_text, sentence_edited
from service.app.web import views
from service.app.web.security import local_path
from service.domain.errors import EditError
from service.domain.types import UNFINISHED, ArticleStatus, KeyRole
from service.storage import edits, review, review_sessions
from service.storage.articles import get_article
from service.storage.db import committing
from service.storage.keys import find_active_key

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ARTICLES_PER_PAGE = 25
BATCHES_SHOWN = 20
MAX_POLLED_IDS = 200

router = APIRouter(prefix="/review", include_in_schema=False)
environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=jinja2.StrictUndefined
)
environment.filters.update(
    when=views.format_when, when_short=views.format_when_short, iso=views.format_iso
)
environment.globals.update(
    LOW_CONFIDENCE=views.LOW_CONFIDENCE,
    EXPORT_FORMATS=views.EXPORT_FORMATS,
    STATUSES=[s.value for s in ArticleStatus],
    CSRF_FIELD=CSRF_FIELD,
)
templates = Jinja2Templates(env=environment)


class LoginRequiredError(Exception):
    """A page was asked for without a valid key; the browser goes to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def login_redirect(request: Request, error: LoginRequiredError) -> Response:
    return RedirectResponse(f"/review/login?next={quote(error.next_path, safe='/')}", 303)


async def page_principal(request: Request) -> Principal:
    try:
        return await current_principal(request)
    except NotAuthenticatedError:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target) from None


PageUser = Annotated[Principal, Depends(page_principal)]


def csrf_secret(request: Request) -> str:
    """What this caller's form tokens are keyed with: its session token, or bearer key."""
    return presented_key(request) or session_token(request) or ""


def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
    """A page that is never cached, as it shows what only its key may see."""
    secret = csrf_secret(request)
    context.setdefault("principal", None)
    context.setdefault("refresh", None)
    context.update(csrf=csrf_token(secret) if secret else "", path=request.url.path)
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def problem(request: Request, principal: Principal | None, status_code: int, message: str):
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render(
        request, "error.html", status_code, principal=principal, status=status_code, message=message
    )


# Signing in and out ------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=local_path(next), error=None)


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the pasted key; on success start a server-side session, whose random token
    (never the key) the browser keeps in an HttpOnly, SameSite=Strict cookie."""
    key = key.strip()
    async with committing(session):
        row = await find_active_key(session, key) if key else None
        token = await review_sessions.start_session(session, row) if row else None
    if token is None:
        error = "That key is not valid or has been revoked." if key else "Paste an API key."
        return render(request, "login.html", 401, next=local_path(next), error=error)
    response = RedirectResponse(local_path(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=review_sessions.REVIEW_SESSION_TTL_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.api_route("/logout", methods=["GET", "POST"])
async def logout(request: Request, session: SessionDep) -> Response:
    """End the session on the server, not only in this browser."""
    token = session_token(request)
    if token:
        async with committing(session):
            await review_sessions.end_session(session, token)
    response = RedirectResponse("/review/login", 303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


# Lists ---------------------------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


@router.get("")
async def article_list(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    q: str | None = None,
    status: str | None = None,
    batch: str | None = None,
    page: str | None = None,
) -> Response:
    """Articles and batches, newest first, searchable and filtered."""
    owner = None if principal.sees_all else principal.key_id
    q = (q or "").strip()[:200] or None
    status = status if status in {s.value for s in ArticleStatus} else None
    batch = (batch or "").strip()[:32] or None
    found = await review.search_articles(
        session,
        search=q,
        status=status,
        batch_id=batch,
        owner_key=owner,
        page=_page_number(page),
        per_page=ARTICLES_PER_PAGE,
    )
    batches = await review.recent_batches(session, owner_key=owner, limit=BATCHES_SHOWN)
    if batch and batch not in {b.id for b in batches}:
        batches += await review.batches_by_id(session, [batch], owner_key=owner)
    filters = {"q": q, "status": status, "batch": batch}
    active = {name: value for name, value in filters.items() if value}

    def page_url(number: int) -> str:
        return "/review?" + urlencode({**active, "page": number})

    return render(
        request,
        "list.html",
        principal=principal,
        found=found,
        batches=batches,
        filters=filters,
        filtered=bool(active),
        page_url=page_url,
        views=views,
    )


@router.get("/progress")
async def progress(
    session: SessionDep,
    principal: PageUser,
    article: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    batch: Annotated[list[str], Query()] = [],  # noqa: B006
) -> dict:
    """Live state of the given articles and batches, for the list page's poll."""
    owner = None if principal.sees_all else principal.key_id
    states = await review.article_states(session, article[:MAX_POLLED_IDS], owner_key=owner)
    batches = await review.batches_by_id(session, batch[:MAX_POLLED_IDS], owner_key=owner)
    return {
        "articles": states,
        "batches": {
            b.id: {"counts": b.counts, "total": b.total, "finished": b.finished} for b in batches
        },
    }


# One article ---------------------------------------------------------------------------------


async def _article_page(
    request: Request,
    session,
    principal: Principal,
    article_id: str,
    form_error: views.FormError | None = None,
) -> Response:
    article = await get_article(session, article_id)
    if article is None or not visible(article, principal):
        return problem(request, principal, 404, "There is no such article.")
    paragraphs = views.paragraph_views(article)
    can_edit = principal.has(KeyRole.review) and article.status == ArticleStatus.done
    audit = await edits.list_edits(session, article_id) if principal.sees_all else []
    return render(
        request,
        "article.html",
        422 if form_error else 200,
        principal=principal,
        article=article,
        paragraphs=paragraphs,
        summary=views.summary_sentences(paragraphs),
        source=views.source_link(article.source_url),
        timings=views.timings(article),
        can_edit=can_edit,
        has_terms=any(s.terms for p in paragraphs for s in p.sentences),
        audit=audit,
        form_error=form_error,
        saved=request.query_params.get("saved"),
        refresh=views.REFRESH_WHILE_RUNNING_S if article.status in UNFINISHED else None,
    )


@router.get("/articles/{article_id}")
async def article_page(
    request: Request, article_id: str, session: SessionDep, principal: PageUser
) -> Response:
    """The article side by side: English left, Arabic right, one row per paragraph."""
    return await _article_page(request, session, principal, article_id)


@router.post("/articles/{article_id}/sentences/{paragraph}/{sentence}")
async def save_sentence(
    request: Request,
    article_id: str,
    paragraph: int,
    sentence: int,
    session: SessionDep,
    principal: PageUser,
    en: Annotated[str, Form()] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """A reviewer's correction from the sentence's form (or its script-enhanced editor)."""
    if not csrf_valid(csrf_secret(request), token):
        return problem(request, principal, 403, "This form has expired. Reload the page.")
    if not principal.has(KeyRole.review):
        return problem(request, principal, 403, "Only reviewers can correct translations.")
    try:
        text = clean_sentence_text(en)
    except ValueError as error:
        message = f"Not saved: {error}."
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        refused = views.FormError(paragraph, sentence, message, en)
        return await _article_page(request, session, principal, article_id, refused)
    try:
        async with session.begin():
            row = await edits.edit_sentence(
                session, article_id, paragraph, sentence, text, principal.name
            )
    except EditError as error:
        return problem(request, principal, EDIT_ERROR_STATUS[type(error)], str(error))
    if wants_json(request):
        return JSONResponse(sentence_edited(row).model_dump(mode="json"))
    anchor = f"s-{paragraph}-{sentence}"
    return RedirectResponse(f"/review/articles/{article_id}?saved={anchor}#{anchor}", 303)


@router.post("/articles/{article_id}/reviewed")
async def mark_reviewed(
    request: Request,
    article_id: str,
    session: SessionDep,
    principal: PageUser,
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    if not csrf_valid(csrf_secret(request), token):
        return problem(request, principal, 403, "This form has expired. Reload the page.")
    if not principal.has(KeyRole.review):
        return problem(request, principal, 403, "Only reviewers can sign articles off.")
    try:
        async with session.begin():
            await edits.mark_reviewed(session, article_id, principal.name)
    except EditError as error:
        return problem(request, principal, EDIT_ERROR_STATUS[type(error)], str(error))
    return RedirectResponse(f"/review/articles/{article_id}", 303)
