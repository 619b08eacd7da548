"""Forum pages: load, authorise, act. 404 where existence itself is private, 403 otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from network import atom
from network.accounts.directory import theme_labels
from network.accounts.models import Group
from network.extensions import db
from network.forums import mentions, queries, services
from network.forums import permissions as forums_permissions
from network.forums.forms import (
    CategoryForm,
    EditPostForm,
    FlagForm,
    MoveForm,
    ReplyForm,
    SearchForm,
    TopicForm,
    new_client_key,
)
from network.forums.models import Category, CategoryWatch, Post, Topic
from network.forums.topic_body import topic_body
from network.fragments import with_slots
from network.i18n import gettext as _
from network.i18n import lazy_gettext as _l
from network.loaders import parse_id
from network.pagecache import cached_page, fresh_value
from network.permissions import Visibility, can_view_group, is_member
from network.resources import services as resources

CLIENT_KEY = "forum_client_key"  # a reply form's double-submit key, new in every response
bp = Blueprint("forums", __name__, url_prefix="/forum", template_folder="templates")

VISIBILITY_LABELS = {
    "public": _l("Alla, även besökare utan konto"),
    "members": _l("Alla medlemmar i nätverket"),
    "group": _l("Bara gruppens medlemmar"),
}


def _visibility_label(value: str) -> str:
    return str(VISIBILITY_LABELS[value])


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 100_000))


def _category_or_404(category_id: int) -> Category:
    category = db.get_or_404(Category, category_id)
    if not forums_permissions.can_view_category(current_user, category):
        abort(404)
    return category


def _topic_or_404(topic_id: int) -> Topic:
    topic = queries.load_topic(topic_id)
    if topic is None or not forums_permissions.can_view_topic(current_user, topic):
        abort(404)
    return topic


def _post_or_404(post_id: int) -> Post:
    post = db.first_or_404(queries.post_by_id(post_id))
    if not forums_permissions.can_view_topic(current_user, post.topic):
        abort(404)
    return post


def _post_url(post: Post) -> str:
    return url_for("forums.topic", topic_id=post.topic_id, page=post.page) + f"#p{post.number}"


# -- reading ---------------------------------------------------------------------------------


@bp.get("/")
@cached_page(ttl=60, scopes=lambda: ("forums",))
def index():
    categories = queries.category_page(current_user, _page_arg())
    unread = queries.unread_by_category(current_user, [c.id for c in categories.items])
    sections: dict[str, list[Category]] = {}
    for category in categories.items:
        key = _("Arkiverade kategorier") if category.archived else (
            category.group.name if category.group else _("Hela nätverket"))
        sections.setdefault(key, []).append(category)
    manageable = _manageable_groups() if is_member(current_user) else []
    return render_template(
        "forums/index.html", sections=sections, unread=unread, unread_cap=queries.UNREAD_CAP,
        categories=categories,
        latest=queries.latest_topics(current_user, limit=10, counted=False),
        can_create=forums_permissions.can_manage_categories(current_user, None) or bool(manageable),
        flag_count=queries.open_flag_count(current_user)
        if forums_permissions.can_moderate_anything(current_user) else 0)


@bp.get("/k/<int:category_id>")
# Its own row and topics; any change to the forum beyond counters ("forums:*").
@cached_page(ttl=60, scopes=lambda category_id: (
    "forums:*", services.category_scope(category_id)))
def category(category_id: int):
    category = _category_or_404(category_id)
    unanswered = category.is_qa and request.args.get("visa") == "obesvarade"
    page = queries.category_topics(current_user, category, _page_arg(), unanswered=unanswered)
    watching = is_member(current_user) and db.session.get(
        CategoryWatch, (current_user.id, category.id)) is not None
    return render_template(
        "forums/category.html", category=category, page=page, unanswered=unanswered,
        watching=watching, new_count=sum(1 for r in page.items if r.is_new or r.unread),
        can_start=forums_permissions.can_start_topic(current_user, category),
        can_manage=forums_permissions.can_manage_category(current_user, category),
        visibility_label=_visibility_label(category.visibility))


@bp.get("/t/<int:topic_id>")
# Its own posts, its category (any change but the counters), the library's attachments; relative
# times ("3 minuter sedan") change with the clock.
@cached_page(ttl=60, scopes=lambda topic_id: (
    "forums:*", services.topic_scope(topic_id), "resources"))
def topic(topic_id: int):
    found = queries.load_topic_for(topic_id, current_user)
    if found is None or not forums_permissions.can_view_topic(current_user, found[0]):
        abort(404)
    topic, read, watching = found
    page = min(_page_arg(), topic.pages)
    previous_read = read.last_read_number if read else 0
    can_reply = forums_permissions.can_reply(current_user, topic)
    can_moderate = forums_permissions.can_moderate_topic(current_user, topic)
    body, last_on_page = topic_body(topic, page, previous_read, can_reply, can_moderate,
                                    forums_permissions.can_mark_answer(current_user, topic))
    html = render_template(
        "forums/topic.html", topic=topic, category=topic.category, body=body,
        reply_form=_reply_form(topic) if can_reply else None, previous_read=previous_read,
        watching=watching, can_reply=can_reply, can_moderate=can_moderate)
    # Read position moves after rendering, so the page still marks what was new to the reader.
    if is_member(current_user) and last_on_page:
        services.mark_read(current_user, topic, last_on_page, read)
        db.session.commit()
    return html


def _reply_form(topic: Topic) -> Markup:
    """The reply form, rendered once per topic and language for everyone who may reply (its
    token and double-submit key filled in per response); a quote fills it for one reader."""
    quote = parse_id(request.args.get("citera"))
    quoted = db.session.get(Post, quote) if quote else None
    if quoted is not None and (quoted.topic_id != topic.id or quoted.deleted_at is not None):
        quoted = None

    def render(values: dict[str, str]) -> str:
        form = ReplyForm(client_key="")
        if quoted is not None:
            form.body.data, form.reply_to.data = _quote_text(quoted), str(quoted.id)
        return render_template("forums/_reply_form.html", form=form, topic=topic, **values)

    slots = {"csrf": generate_csrf, "client_key": lambda: fresh_value(CLIENT_KEY)}
    if quoted is not None:
        return Markup(render({slot: fill() for slot, fill in slots.items()}))  # noqa: S704
    return with_slots("forums:reply_form", topic.id, (), render, slots, ttl=3600)


def _quote_text(post: Post) -> str:
    name = post.author.display_name if post.author else _("Okänd")
    lines = "\n".join("> " + line for line in post.body.splitlines())
    link = url_for("forums.permalink", post_id=post.id)
    return _("%(name)s [skrev](%(link)s):", name=name, link=link) + "\n" + lines + "\n\n"


@bp.get("/t/<int:topic_id>/olast")
def first_unread(topic_id: int):
    """Jump to the first post the member has not read yet."""
    topic = _topic_or_404(topic_id)
    number = queries.first_unread_number(topic, queries.read_state(current_user, topic))
    page = (max(number, 1) - 1) // 20 + 1
    return redirect(url_for("forums.topic", topic_id=topic.id, page=page) + f"#p{number}")


@bp.get("/inlagg/<int:post_id>")
def permalink(post_id: int):
    post = _post_or_404(post_id)
    return redirect(_post_url(post))


@bp.get("/obesvarade")
@login_required
def unanswered():
    page = queries.latest_topics(current_user, limit=30, unanswered_qa=True, page=_page_arg())
    return render_template("forums/unanswered.html", page=page)


@bp.get("/sok")
def search():
    form = SearchForm(request.args)
    groups = queries.searchable_groups(current_user)
    form.group.choices = [(0, _("Alla grupper"))] + [(g.id, g.name) for g in groups]
    results = None
    if form.q.data and form.validate():
        since = until = None
        if form.since.data:
            since = dt.datetime.combine(form.since.data, dt.time.min, tzinfo=_stockholm())
        if form.until.data:
            until = dt.datetime.combine(form.until.data + dt.timedelta(days=1), dt.time.min,
                                        tzinfo=_stockholm())
        group_id = form.group.data if form.group.data in {g.id for g in groups} else None
        results = queries.search(current_user, form.q.data, group_id=group_id, since=since,
                                 until=until, page=_page_arg())
    args = {k: v for k, v in request.args.items() if k != "page"}
    results_page = queries.Page([], results.page, results.per_page, results.total) \
        if results else None
    return render_template("forums/search.html", form=form, results=results, args=args,
                           results_page=results_page)


def _stockholm():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Stockholm")


@bp.get("/k/<int:category_id>/flode.atom")
def feed(category_id: int):
    category = db.get_or_404(Category, category_id)
    # Feed readers are anonymous: only public categories have a feed, whoever asks.
    if category.visibility != Visibility.PUBLIC.value:
        abort(404)
    topics = queries.category_topics(None, category, 1).items
    first_posts = {p.topic_id: p for p in db.session.scalars(
        select(Post).where(Post.topic_id.in_([r.topic.id for r in topics]), Post.number == 1))}
    base = current_app.config["PUBLIC_BASE_URL"]
    updated = max([r.topic.last_post_at for r in topics], default=category.created_at)
    etag = hashlib.sha256(
        f"{category.id}:{category.updated_at.isoformat()}:{updated.isoformat()}:"
        f"{[(r.topic.id, r.topic.last_number) for r in topics]}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    entries = [
        atom.Entry(
            id=f"{base}/forum/t/{r.topic.id}", title=r.topic.title,
            url=f"{base}/forum/t/{r.topic.id}",
            author=r.topic.author.display_name if r.topic.author else "",
            published=r.topic.created_at, updated=r.topic.last_post_at,
            content_html=first_posts[r.topic.id].body_html if r.topic.id in first_posts else "")
        for r in topics
    ]
    body = atom.feed(
        feed_id=f"{base}/forum/k/{category.id}", title=category.name,
        subtitle=category.description, site_url=f"{base}/forum/k/{category.id}",
        self_url=f"{base}/forum/k/{category.id}/flode.atom", updated=updated, entries=entries)
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.set_etag(etag)
    response.last_modified = updated
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


# -- writing ---------------------------------------------------------------------------------


def _offer_library(form) -> None:
    """The picker lists what the writer may see in the library; validation accepts only that."""
    form.library.choices = resources.picker_choices(current_user)


def _attachments(form, removed=()) -> services.Attachments:
    uploads = [resources.Upload(f.stream, f.filename or "") for f in request.files.getlist("files")
               if f and (f.filename or f.content_length)]
    picked = [r for r in (resources.get_visible(current_user, i) for i in form.library.data or [])
              if r is not None]
    return services.Attachments(uploads=uploads, picked=picked, removed=list(removed))


def _refused(form, error: resources.ResourceError) -> int:
    """Undo everything the request did (no post, no stored file) and show why on the form."""
    db.session.rollback()
    form.files.errors = [*list(form.files.errors or []), str(error)]
    return 413 if isinstance(error, resources.UploadTooLarge) else 422


@bp.context_processor
def _upload_limit() -> dict:
    """The post forms' file hint (the topic page's reply form too) names the library's limit."""
    return {"max_size": resources.upload_limit_text()}


@bp.route("/k/<int:category_id>/nytt", methods=["GET", "POST"])
@login_required
def new_topic(category_id: int):
    category = _category_or_404(category_id)
    if not forums_permissions.can_start_topic(current_user, category):
        abort(403)
    form = TopicForm()
    _offer_library(form)
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            post, _created = services.create_topic(current_user, category, form.title.data,
                                                   form.body.data, client_key=form.client_key.data,
                                                   attachments=_attachments(form))
        except services.ForumError:
            abort(400)
        except resources.ResourceError as error:
            status = _refused(form, error)
        else:
            db.session.commit()
            return redirect(url_for("forums.topic", topic_id=post.topic_id))
    return render_template("forums/new_topic.html", form=form, category=category), status


@bp.route("/t/<int:topic_id>/svara", methods=["GET", "POST"])
@login_required
def reply(topic_id: int):
    """The topic page's reply form posts here; GET is the full form, with the library picker."""
    topic = _topic_or_404(topic_id)
    if not forums_permissions.can_reply(current_user, topic):
        abort(403)
    form = ReplyForm(client_key=new_client_key()) if request.method == "GET" else ReplyForm()
    _offer_library(form)
    if not form.validate_on_submit():
        return render_template("forums/reply.html", form=form, topic=topic,
                               category=topic.category), 400 if form.is_submitted() else 200
    reply_to = None
    if parse_id(form.reply_to.data):
        reply_to = db.session.get(Post, parse_id(form.reply_to.data))
    try:
        post, _created = services.reply(current_user, topic, form.body.data,
                                        client_key=form.client_key.data, reply_to=reply_to,
                                        attachments=_attachments(form))
    except services.ForumError:
        abort(400)
    except resources.ResourceError as error:
        status = _refused(form, error)
        return render_template("forums/reply.html", form=form, topic=topic,
                               category=topic.category), status
    db.session.commit()
    return redirect(_post_url(post))


@bp.route("/inlagg/<int:post_id>/redigera", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = _post_or_404(post_id)
    if not forums_permissions.can_edit_post(current_user, post):
        abort(403)
    form = EditPostForm(obj=post if request.method == "GET" else None)
    if request.method == "GET" and post.number == 1:
        form.title.data = post.topic.title
    _offer_library(form)
    current = queries.post_attachments(current_user, [post]).get(post.id, [])
    form.remove.choices = [(a.resource_id, a.title) for a in current]
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            services.edit_post(current_user, post, form.body.data,
                               title=form.title.data if post.number == 1 else None,
                               attachments=_attachments(form, removed=form.remove.data or []))
        except resources.ResourceError as error:
            status = _refused(form, error)
        else:
            db.session.commit()
            flash(_("Inlägget är sparat."), "success")
            return redirect(_post_url(post))
    return render_template("forums/edit_post.html", form=form, post=post), status


@bp.post("/inlagg/<int:post_id>/ta-bort")
@login_required
def delete_post(post_id: int):
    post = _post_or_404(post_id)
    if not forums_permissions.can_delete_post(current_user, post):
        abort(403)
    topic = post.topic
    services.delete_post(current_user, post)
    db.session.commit()
    if post.number == 1:
        flash(_("Ämnet är borttaget."), "success")
        return redirect(url_for("forums.category", category_id=topic.category_id))
    flash(_("Inlägget är borttaget."), "success")
    return redirect(_post_url(post))


@bp.get("/inlagg/<int:post_id>/historik")
@login_required
def history(post_id: int):
    post = _post_or_404(post_id)
    if not forums_permissions.can_see_history(current_user, post):
        abort(403)
    return render_template("forums/history.html", post=post, revisions=services.revisions(current_user, post))


@bp.post("/t/<int:topic_id>/svar")
@login_required
def mark_answer(topic_id: int):
    topic = _topic_or_404(topic_id)
    if not forums_permissions.can_mark_answer(current_user, topic):
        abort(403)
    post_id = parse_id(request.form.get("post_id"))
    post = db.session.get(Post, post_id) if post_id else None
    try:
        services.mark_answer(current_user, topic, post)
    except services.ForumError:
        abort(400)
    db.session.commit()
    flash(_("Svaret är markerat.") if post else _("Markeringen är borttagen."), "success")
    return redirect(url_for("forums.topic", topic_id=topic.id))


@bp.post("/t/<int:topic_id>/bevaka")
@login_required
def watch_topic(topic_id: int):
    topic = _topic_or_404(topic_id)
    watching = request.form.get("watch") == "1"
    services.watch_topic(current_user, topic, watching)
    db.session.commit()
    flash(_("Du bevakar ämnet.") if watching else _("Du bevakar inte längre ämnet."), "success")
    return redirect(url_for("forums.topic", topic_id=topic.id))


@bp.post("/k/<int:category_id>/bevaka")
@login_required
def watch_category(category_id: int):
    category = _category_or_404(category_id)
    watching = request.form.get("watch") == "1"
    services.watch_category(current_user, category, watching)
    db.session.commit()
    flash(_("Du bevakar kategorin.") if watching else _("Du bevakar inte längre kategorin."),
          "success")
    return redirect(url_for("forums.category", category_id=category.id))


@bp.route("/inlagg/<int:post_id>/flagga", methods=["GET", "POST"])
@login_required
def flag(post_id: int):
    post = _post_or_404(post_id)
    if not forums_permissions.can_flag(current_user, post):
        abort(403)
    form = FlagForm()
    if form.validate_on_submit():
        services.flag_post(current_user, post, form.reason.data, form.note.data or "")
        db.session.commit()
        flash(_("Tack. Moderatorerna tittar på inlägget."), "success")
        return redirect(_post_url(post))
    status = 400 if form.errors else 200
    return render_template("forums/flag.html", form=form, post=post), status


@bp.get("/mentions/<int:topic_id>")
@login_required
def mention_suggestions(topic_id: int):
    """JSON for the @-autocompletion: only people who can see the topic."""
    topic = _topic_or_404(topic_id)
    return _suggestions(topic.category)


@bp.get("/mentions/kategori/<int:category_id>")
@login_required
def mention_suggestions_category(category_id: int):
    return _suggestions(_category_or_404(category_id))


def _suggestions(category: Category):
    term = request.args.get("q", "")[:60]
    people = mentions.suggest(term, services.viewer_conditions(category))
    return jsonify(people)


# -- moderation ------------------------------------------------------------------------------


@bp.post("/t/<int:topic_id>/moderera")
@login_required
def moderate(topic_id: int):
    topic = _topic_or_404(topic_id)
    if not forums_permissions.can_moderate_topic(current_user, topic):
        abort(403)
    action = request.form.get("action", "")
    if action not in services.TOPIC_ACTIONS:
        abort(400)
    services.moderate_topic(current_user, topic, action)
    db.session.commit()
    flash(_("Ämnet är uppdaterat."), "success")
    return redirect(url_for("forums.topic", topic_id=topic.id))


@bp.route("/t/<int:topic_id>/flytta", methods=["GET", "POST"])
@login_required
def move(topic_id: int):
    topic = _topic_or_404(topic_id)
    if not forums_permissions.can_moderate_topic(current_user, topic):
        abort(403)
    targets = queries.move_targets(current_user, topic)
    form = MoveForm()
    form.category.choices = [
        (c.id, f"{c.group.name if c.group else _('Hela nätverket')} – {c.name}") for c in targets]
    if form.validate_on_submit():
        target = next(c for c in targets if c.id == form.category.data)
        services.move_topic(current_user, topic, target)
        db.session.commit()
        flash(_("Ämnet är flyttat till %(name)s.", name=target.name), "success")
        return redirect(url_for("forums.topic", topic_id=topic.id))
    status = 400 if form.errors else 200
    return render_template("forums/move.html", form=form, topic=topic), status


@bp.get("/moderering")
@login_required
def moderation_queue():
    if not forums_permissions.can_moderate_anything(current_user):
        abort(403)
    queue = queries.flag_queue(current_user)
    return render_template("forums/moderation.html", queue=queue)


@bp.post("/inlagg/<int:post_id>/flaggor")
@login_required
def resolve_flags(post_id: int):
    post = _post_or_404(post_id)
    if not forums_permissions.can_moderate_topic(current_user, post.topic):
        abort(403)
    action = request.form.get("action")
    if action not in {"dismiss", "remove"}:
        abort(400)
    services.resolve_flags(current_user, post, action)
    db.session.commit()
    flash(_("Flaggningen är hanterad."), "success")
    return redirect(url_for("forums.moderation_queue"))


# -- categories ------------------------------------------------------------------------------


def _manageable_groups() -> list[Group]:
    from network.permissions import facilitated_group_ids, is_admin

    if is_admin(current_user):
        return list(db.session.scalars(select(Group).where(Group.archived.is_(False))
                                       .order_by(Group.name)))
    ids = facilitated_group_ids(current_user)
    if not ids:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))


def _visibility_choices(group: Group | None) -> list[tuple[str, str]]:
    return [(v.value, _visibility_label(v.value)) for v in services.allowed_visibilities(group)]


@bp.route("/kategorier/ny", methods=["GET", "POST"])
@login_required
def new_category():
    group_id = parse_id(request.args.get("grupp"))
    group = None
    if group_id:
        group = db.get_or_404(Group, group_id)
        if not can_view_group(current_user, group):
            abort(404)
    if not forums_permissions.can_manage_categories(current_user, group):
        abort(403)
    form = CategoryForm()
    form.visibility.choices = _visibility_choices(group)
    form.theme_choices(theme_labels())
    if request.method == "GET":
        form.visibility.data = services.default_visibility_for(group).value
    if form.validate_on_submit():
        category = services.create_category(current_user, form.name.data, group=group,
                                            description=form.description.data or "",
                                            is_qa=form.is_qa.data,
                                            visibility=form.visibility.data,
                                            theme=form.theme.data or None)
        db.session.commit()
        flash(_("Kategorin är skapad."), "success")
        return redirect(url_for("forums.category", category_id=category.id))
    status = 400 if form.errors else 200
    return render_template("forums/category_form.html", form=form, group=group, category=None,
                           groups=_manageable_groups()), status


@bp.route("/k/<int:category_id>/redigera", methods=["GET", "POST"])
@login_required
def edit_category(category_id: int):
    category = _category_or_404(category_id)
    if not forums_permissions.can_manage_category(current_user, category):
        abort(403)
    form = CategoryForm(obj=category)
    form.visibility.choices = _visibility_choices(category.group)
    form.theme_choices(theme_labels())
    if request.method == "GET":
        form.theme.data = category.theme or ""
    if form.validate_on_submit():
        services.update_category(current_user, category, name=form.name.data,
                                 description=form.description.data or "", is_qa=form.is_qa.data,
                                 visibility=form.visibility.data,
                                 theme=form.theme.data or None)
        db.session.commit()
        flash(_("Kategorin är sparad."), "success")
        return redirect(url_for("forums.category", category_id=category.id))
    status = 400 if form.errors else 200
    return render_template("forums/category_form.html", form=form, group=category.group,
                           category=category, groups=[]), status


@bp.post("/k/<int:category_id>/ordning")
@login_required
def reorder_category(category_id: int):
    category = _category_or_404(category_id)
    if not forums_permissions.can_manage_category(current_user, category):
        abort(403)
    services.move_category(current_user, category, -1 if request.form.get("dir") == "up" else 1)
    db.session.commit()
    return redirect(url_for("forums.index") + f"#k{category.id}")


@bp.post("/k/<int:category_id>/arkivera")
@login_required
def archive_category(category_id: int):
    category = _category_or_404(category_id)
    if not forums_permissions.can_manage_category(current_user, category):
        abort(403)
    archived = request.form.get("archived") == "1"
    services.set_category_archived(current_user, category, archived)
    db.session.commit()
    flash(_("Kategorin är arkiverad.") if archived else _("Kategorin är öppen igen."), "success")
    return redirect(url_for("forums.category", category_id=category.id))
