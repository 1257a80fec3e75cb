"""The one place commands are registered, in menu order. Summaries are English msgids."""

from __future__ import annotations

from bot.core.commands import Arg, ArgKind, Audience, Command, Registry
from bot.core.discreet import SHOW
from bot.core.i18n import N_
from bot.core.ports import TOPICS
from content.schema import LOCALES
from handlers.args import (
    BROADCAST_ID,
    EVENT_ID,
    WHICH_EVENT,
    broadcast_fields,
    broadcast_line,
    event_fields,
)
from handlers.broadcast.approve import approve
from handlers.broadcast.cancel import cancel
from handlers.broadcast.compose import broadcast, write
from handlers.broadcast.send import send
from handlers.broadcast.status import broadcasts
from handlers.dashboard import dashboard
from handlers.deps import Deps
from handlers.donate import donate
from handlers.event_admin.cancel import cancelevent
from handlers.event_admin.choose import offer_fields
from handlers.event_admin.create import newevent
from handlers.event_admin.draft import FIELDS
from handlers.event_admin.edit import check_value, editevent
from handlers.event_admin.form import eventform, form_fields
from handlers.event_admin.publish import eventdraft
from handlers.events import FULL, events, ics
from handlers.forget import forget
from handlers.keywords import LANGUAGE_WORDS, TOPIC_WORDS_RU
from handlers.petition import petition
from handlers.privacy import privacy
from handlers.remember import remember
from handlers.reminders import reminders
from handlers.rsvp import rsvp
from handlers.settings import settings
from handlers.setup import ACTIONS, setup
from handlers.show import show
from handlers.start import help_, start
from handlers.subscriptions import subscribe, unsubscribe
from handlers.whoami import whoami


def build_registry() -> Registry[Deps]:
    """Every command the bot answers, for the dispatcher and every adapter's menus."""
    return Registry(
        [
            Command("start", N_("What this bot is and how to help"), start),
            # In a group it lists the admin commands to its admins: the adapter must find out.
            Command("help", N_("All commands"), help_, asks_admin=True),
            Command(
                "donate",
                N_("Funds to give to and what money does"),
                donate,
                # Discreet mode: the full titles of the links.
                args=(Arg("titles", N_("the full titles of the links"), choices=(FULL,)),),
            ),
            Command(
                "events",
                N_("Fundraisers and rallies in your time zone"),
                events,
                args=(Arg("when", N_("upcoming or past events"), choices=("upcoming", "past")),),
            ),
            Command(
                "petition",
                N_("Petitions, letters to your MP, who else to call"),
                petition,
                args=(Arg("part", N_("show the letter template"), choices=("letter",)),),
            ),
            Command(
                "remember",
                N_("29 March, the Chechen LGBT Day of Remembrance"),
                remember,
            ),
            Command(
                "subscribe",
                N_("Choose the reminders you want"),
                subscribe,
                args=(Arg("topic", N_("what to be reminded about"), choices=TOPICS),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "unsubscribe",
                N_("Stop reminders"),
                unsubscribe,
                args=(Arg("topic", N_("which reminders to stop"), choices=(*TOPICS, "all")),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "settings",
                N_("Time zone, language, quiet hours and discreet mode"),
                settings,
                args=(
                    Arg(
                        "what",
                        N_("what to change"),
                        choices=("timezone", "language", "quiet", "discreet", "deleteafter"),
                    ),
                    Arg("value", N_("the new value"), rest=True, kind_from="what"),
                ),
                private=True,
                changes_chat=True,
            ),
            Command(
                "setup",
                N_("Server admins: choose where and what the bot announces"),
                setup,
                args=(
                    Arg("action", N_("set, show or off"), choices=ACTIONS),
                    Arg("channel", N_("the channel for announcements"), kind=ArgKind.CHANNEL),
                    Arg("topics", N_("topics, separated by commas, or all")),
                    Arg(
                        "timezone",
                        N_("the server's time zone, like Europe/Berlin"),
                        kind=ArgKind.TIMEZONE,
                    ),
                    Arg(
                        "language",
                        N_("the language of announcements"),
                        choices=LOCALES,
                        kind=ArgKind.LANGUAGE,
                    ),
                ),
                private=True,
                changes_chat=True,
                audience=Audience.ADMINS,
            ),
            Command(
                "privacy",
                N_("What is stored about this chat, and for how long"),
                privacy,
                private=True,
                # In a group it shows the group's records: the handler lets only its admins see.
                asks_admin=True,
            ),
            # Shown to everyone: harmless, and how a future organizer finds the id ORGANIZERS takes.
            Command("whoami", N_("Your user id, for the campaign's admin"), whoami, private=True),
            Command(
                "forget",
                N_("Erase everything stored about this chat"),
                forget,
                # Any word: yes erases, anything else keeps (a typed "no" answers the question).
                args=(Arg("confirm", N_("erase without asking again")),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "reminders",
                N_("How long before events reminders come"),
                reminders,
                args=(Arg("times", N_("for example 1w,1d,1h, or off"), rest=True),),
                private=True,
                changes_chat=True,
            ),
            Command(
                "newevent",
                N_("Organizers: create an event"),
                newevent,
                asks_admin=True,
                args=event_fields(),
                organizers_or_admins=True,
            ),
            Command(
                "editevent",
                N_("Organizers: change an event"),
                editevent,
                asks_admin=True,
                organizers_or_admins=True,
                args=(
                    WHICH_EVENT,
                    Arg(
                        "field",
                        N_("what to change"),
                        choices=FIELDS,
                        prompt=N_(
                            "What should change? Choose it below, or type title, start, end, "
                            "timezone, place or description."
                        ),
                        offer=offer_fields,
                    ),
                    Arg(
                        "value",
                        N_("the new value"),
                        rest=True,
                        prompt=N_("What is the new value?"),
                        kind_from="field",
                        check=check_value,
                    ),
                ),
            ),
            Command(
                "cancelevent",
                N_("Organizers: cancel an event"),
                cancelevent,
                asks_admin=True,
                organizers_or_admins=True,
                args=(
                    WHICH_EVENT,
                    Arg("confirm", N_("cancel without asking again")),
                ),
            ),
            Command(
                "eventform",
                N_("Organizers: create an event step by step"),
                eventform,
                asks_admin=True,
                args=form_fields(),
                organizers_or_admins=True,
                hidden=True,
            ),
            Command(
                "eventdraft",
                N_("Publish or discard an event draft"),
                eventdraft,
                asks_admin=True,
                organizers_or_admins=True,
                args=(
                    Arg("draft", N_("the draft's id"), required=True),
                    Arg("action", N_("publish or discard"), choices=("publish", "discard")),
                ),
                hidden=True,
            ),
            Command(
                "broadcast",
                N_("Organizers and admins: send a message to subscribers or this group"),
                broadcast,
                args=broadcast_line(),
                organizers_or_admins=True,
                private=True,
                changes_chat=True,
            ),
            Command(
                "broadcasts",
                N_("Organizers and admins: recent broadcasts and their progress"),
                broadcasts,
                private=True,
                organizers_or_admins=True,
                changes_chat=True,
            ),
            Command(
                "bcwrite",
                N_("Write a broadcast step by step"),
                write,
                args=broadcast_fields(),
                organizers_or_admins=True,
                private=True,
                hidden=True,
                changes_chat=True,
            ),
            Command(
                "bcsend",
                N_("Confirm a broadcast"),
                send,
                args=(BROADCAST_ID,),
                organizers_or_admins=True,
                private=True,
                hidden=True,
                changes_chat=True,
            ),
            Command(
                "approve",
                # Typed as the approval request says (/approve 12), or its Approve button.
                N_("Approve another organizer's broadcast"),
                approve,
                args=(
                    BROADCAST_ID,
                    Arg("confirm", N_("approve without asking again"), choices=("yes",)),
                ),
                organizer_only=True,
                private=True,
            ),
            Command(
                "cancel",
                N_("Stop a broadcast"),
                cancel,
                args=(BROADCAST_ID,),
                organizers_or_admins=True,
                private=True,
                changes_chat=True,
            ),
            Command(
                "dashboard",
                N_("Organizers and admins: a link into the web dashboard"),
                dashboard,
                private=True,
                organizers_or_admins=True,
            ),
            Command(
                "ics",
                N_("An event as a calendar file"),
                ics,
                args=(EVENT_ID, Arg("title", N_("the full title"), choices=(FULL,))),
                hidden=True,
            ),
            Command(
                SHOW,
                N_("Show a discreet message in full"),
                show,
                # What the button points at (bot.core.discreet.ShowTarget), in up to 4 words.
                args=tuple(
                    Arg(name, N_("what to show")) for name in ("what", "id", "kind", "lead")
                ),
                hidden=True,
            ),
            Command(
                "rsvp",
                N_("Tell organizers whether you will come"),
                rsvp,
                args=(
                    EVENT_ID,
                    Arg("answer", N_("going, maybe or no"), choices=("going", "maybe", "no")),
                ),
                private=True,
                hidden=True,
                changes_chat=True,
            ),
        ],
        NAMES,
        ALIASES,
    )


# Commands, their options and their choices as a Russian Discord client shows them (`/события
# когда:прошедшие`). Names are identifiers, not prose, so they are declared here rather than
# translated; the Registry checks them against Discord's rules. Keys: "command",
# "command.option" and "command.option.choice" (a choice's label; its value stays English, as
# does every name the dispatcher receives). Telegram allows only Latin command names.
_TOPICS_RU = {topic: words[0] for topic, words in TOPIC_WORDS_RU.items()}
_EVENT_FIELDS_RU = {
    "title": "название",
    "start": "начало",
    "end": "конец",
    "timezone": "часовой_пояс",
    "place": "место",
    "description": "описание",
}


def _choices(option: str, labels: dict[str, str]) -> dict[str, str]:
    return {f"{option}.{value}": label for value, label in labels.items()}


NAMES: dict[str, dict[str, str]] = {
    "ru": {
        "start": "начать",
        "help": "помощь",
        "donate": "пожертвовать",
        "donate.titles": "названия",
        **_choices("donate.titles", {FULL: "полностью"}),
        "events": "события",
        "events.when": "когда",
        **_choices("events.when", {"upcoming": "предстоящие", "past": "прошедшие"}),
        "petition": "петиция",
        "petition.part": "часть",
        **_choices("petition.part", {"letter": "письмо"}),
        "remember": "память",
        "subscribe": "подписаться",
        "subscribe.topic": "тема",
        **_choices("subscribe.topic", _TOPICS_RU),
        "unsubscribe": "отписаться",
        "unsubscribe.topic": "тема",
        **_choices("unsubscribe.topic", {**_TOPICS_RU, "all": "все"}),
        "settings": "настройки",
        "settings.what": "что",
        "settings.value": "значение",
        **_choices(
            "settings.what",
            {
                "timezone": "часовой пояс",
                "language": "язык",
                "quiet": "тихие часы",
                "discreet": "незаметный режим",
                "deleteafter": "удалять через",
            },
        ),
        "setup": "настройка_сервера",
        "setup.action": "действие",
        **_choices("setup.action", {"set": "задать", "show": "показать", "off": "выключить"}),
        "setup.channel": "канал",
        "setup.topics": "темы",
        "setup.timezone": "часовой_пояс",
        "setup.language": "язык",
        "privacy": "конфиденциальность",
        "whoami": "кто_я",
        "forget": "забыть",
        "forget.confirm": "подтвердить",
        "reminders": "напоминания",
        "reminders.times": "сроки",
        "newevent": "новое_событие",
        **{f"newevent.{field}": name for field, name in _EVENT_FIELDS_RU.items()},
        "editevent": "изменить_событие",
        "editevent.event": "событие",
        "editevent.field": "поле",
        **_choices(
            "editevent.field", {f: n.replace("_", " ") for f, n in _EVENT_FIELDS_RU.items()}
        ),
        "editevent.value": "значение",
        "cancelevent": "отменить_событие",
        "cancelevent.event": "событие",
        "cancelevent.confirm": "подтвердить",
        "broadcast": "рассылка",
        "broadcast.audience": "аудитория",
        **_choices("broadcast.audience", {**_TOPICS_RU, "here": "сюда"}),
        "broadcast.text": "текст",
        "broadcasts": "рассылки",
        "approve": "одобрить",
        "approve.id": "номер",
        "approve.confirm": "подтвердить",
        **_choices("approve.confirm", {"yes": "да"}),
        "cancel": "отменить",
        "cancel.id": "номер",
        "dashboard": "панель",
    }
}


def _aliases(option: str, words: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {f"{option}.{value}": forms for value, forms in words.items()}


_TOPIC_FORMS_RU = {topic: words[1:] for topic, words in TOPIC_WORDS_RU.items()}
_LANGUAGES = {"en": LANGUAGE_WORDS["en"][1:2], "ru": LANGUAGE_WORDS["ru"][1:2]}
_LANGUAGES_RU = {"en": LANGUAGE_WORDS["en"][2:], "ru": LANGUAGE_WORDS["ru"][2:]}

# Words people type for a choice beyond its value and its labels in NAMES (which are accepted
# too): short one-word forms, since typed words are split on spaces. Same keys as NAMES'
# choices; the first one-word form of a language is how lists of choices show it to its readers.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        **_aliases(
            "settings.what",
            {
                "timezone": ("zone", "tz"),
                "language": ("lang",),
                "deleteafter": ("delete", "selfdestruct"),
            },
        ),
        **_aliases("setup.language", _LANGUAGES),
    },
    "ru": {
        **_aliases("events.when", {"upcoming": ("ближайшие", "будущие"), "past": ("прошлые",)}),
        **_aliases("subscribe.topic", _TOPIC_FORMS_RU),
        **_aliases("unsubscribe.topic", _TOPIC_FORMS_RU),
        **_aliases(
            "settings.what",
            {
                "timezone": ("пояс", "часовой_пояс", "зона"),
                "quiet": ("тишина", "тихие", "тихие_часы"),
                "discreet": ("незаметно", "незаметный", "незаметный_режим"),
                "deleteafter": ("удалять", "удаление", "самоудаление"),
            },
        ),
        **_aliases("setup.action", {"off": ("выкл", "отключить")}),
        **_aliases("setup.language", _LANGUAGES_RU),
        **_aliases("editevent.field", {"timezone": ("пояс", "часовой_пояс")}),
        **_aliases("eventdraft.action", {"publish": ("опубликовать",), "discard": ("удалить",)}),
        **_aliases("broadcast.audience", {**_TOPIC_FORMS_RU, "here": ("здесь", "тут")}),
        **_aliases(
            "bcwrite.audience",
            {**TOPIC_WORDS_RU, "here": ("сюда", "здесь", "тут")},
        ),
        **_aliases(
            "rsvp.answer",
            {"going": ("приду", "иду", "пойду"), "maybe": ("возможно", "может"), "no": ("нет",)},
        ),
    },
}
