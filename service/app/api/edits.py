"""/v1/articles/{id}/...: reviewers correct sentences, read the audit trail, sign off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from service.app.auth import SESSION_COOKIE, ReviewerDep, SubmitterDep
from service.app.csrf import CSRF_HEADER, csrf_valid
from service.app.deps import SessionDep, visible_article
from service.app.schemas import (
    ArticleReviewed,
    SentenceEditCreate,
    SentenceEdited,
    SentenceEditList,
    SentenceEditPublic,
    sentence_edited,
)
from service.domain.errors import (
    ArticleNotDoneError,
    ArticleNotFoundError,
    EditError,
    SentenceNotFoundError,
)
from service.storage import edits

router = APIRouter(prefix="/v1/articles", tags=["edits"])

EDIT_ERROR_STATUS = {
    ArticleNotFoundError: status.HTTP_404_NOT_FOUND,
    SentenceNotFoundError: status.HTTP_404_NOT_FOUND,
    ArticleNotDoneError: status.HTTP_409_CONFLICT,
}


def edit_http_error(error: EditError) -> HTTPException:
    return HTTPException(EDIT_ERROR_STATUS[type(error)], str(error))


async def cookie_csrf(request: Request) -> None:
    """A change made with the browser's cookie (not a bearer key) must carry the CSRF token."""
    if request.headers.get("authorization"):
        return
    token = request.cookies.get(SESSION_COOKIE)
    if token and not csrf_valid(token, request.headers.get(CSRF_HEADER)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or invalid {CSRF_HEADER}")


CsrfDep = Annotated[None, Depends(cookie_csrf)]


@router.patch(
    "/{article_id}/paragraphs/{paragraph}/sentences/{sentence}", response_model=SentenceEdited
)
async def edit_sentence(
    article_id: str,
    paragraph: int,
    sentence: int,
    body: SentenceEditCreate,
    session: SessionDep,
    principal: ReviewerDep,
    _: CsrfDep,
) -> SentenceEdited:
    """Correct one sentence's English; the machine translation stays in `machine_en`."""
    try:
        async with session.begin():
            row = await edits.edit_sentence(
                session, article_id, paragraph, sentence, body.en, principal.name
            )
    except EditError as error:
        raise edit_http_error(error) from None
    return sentence_edited(row)


@router.get("/{article_id}/edits", response_model=SentenceEditList)
async def list_edits(
    article_id: str, session: SessionDep, principal: SubmitterDep
) -> SentenceEditList:
    """Every correction of the article, oldest first: who, when, before and after."""
    await visible_article(session, article_id, principal, with_results=False)
    rows = await edits.list_edits(session, article_id)
    return SentenceEditList(items=[SentenceEditPublic.model_validate(r) for r in rows])


@router.post("/{article_id}/reviewed", response_model=ArticleReviewed)
async def mark_reviewed(
    article_id: str, session: SessionDep, principal: ReviewerDep, _: CsrfDep
) -> ArticleReviewed:
    """Sign the finished article off as reviewed."""
    try:
        async with session.begin():
            article = await edits.mark_reviewed(session, article_id, principal.name)
    except EditError as error:
        raise edit_http_error(error) from None
    return ArticleReviewed.model_validate(article)
