"""One capability vocabulary: ten headline flags, input and output modalities, a category, and
the other flags sources state, with every raw source name mapped onto it.

Sources state capabilities under their own names (observations of kind capability: component
`supports` with dimension `capability=<raw name>`, value 1 or 0; component `mode` with dimension
`mode=<raw mode>`). RAW maps each raw name to what it asserts (a flag, an input or output
modality, or several of them: LiteLLM's `supports_vision` says both "vision" and "image input").
The raw name stays the evidence: every answer lists the statements it rests on.

The ten flags (FLAGS) are the capability flags catalog model pages show (issue 11): vision, PDF
input, function calling (tool use), structured output, reasoning, prompt caching, web search,
audio input, audio output, streaming. Each is the most widely stated capability of its kind in the
recorded sources (LiteLLM's `supports_*`, models.dev's booleans and modalities, OpenRouter's
`supported_parameters` and `architecture` modalities, Vercel's `tags`).

Modes are not flags: LiteLLM's `mode` (and Vercel's model type) are folded into one category per
model (CATEGORY_OF_MODE, e.g. image_generation and image_edit -> image generation).

Answering (profile): a flag is True when a source states it true, False when every source that
states it states false, and unknown (None) when no source states it; a flag stated both ways is
`disputed` and keeps both sides' statements. Modalities are answered the same way per modality,
from raw names and from prices: a price for input of a modality (a token price's `modality`
dimension, text when none; a per-image output price) states that modality. A raw name RAW does
not know is kept in `unmapped`, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from schemas.field import Dims
from schemas.records import Observation
from schemas.vocab import Component, Dim, Kind, Unit


class Flag(StrEnum):
    """The ten capability flags of the catalog pages."""

    VISION = "vision"
    PDF_INPUT = "pdf_input"
    FUNCTION_CALLING = "function_calling"
    STRUCTURED_OUTPUT = "structured_output"
    REASONING = "reasoning"
    PROMPT_CACHING = "prompt_caching"
    WEB_SEARCH = "web_search"
    AUDIO_INPUT = "audio_input"
    AUDIO_OUTPUT = "audio_output"
    STREAMING = "streaming"


class Modality(StrEnum):
    """A medium a model takes in or gives out: text, image, audio, video, file (documents) or
    embedding (vectors, as output)."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    FILE = "file"  # documents (PDF) as input
    EMBEDDING = "embedding"  # vectors as output


MODALITIES = frozenset(m.value for m in Modality)


class Category(StrEnum):
    """What a model is for, folded from sources' modes."""

    CHAT = "chat"
    EMBEDDING = "embedding"
    IMAGE_GENERATION = "image_generation"
    VIDEO_GENERATION = "video_generation"
    SPEECH_GENERATION = "speech_generation"
    TRANSCRIPTION = "transcription"
    REALTIME = "realtime"
    MODERATION = "moderation"
    RERANK = "rerank"
    OCR = "ocr"
    SEARCH = "search"
    VECTOR_STORE = "vector_store"


# A model stated in several categories is shown under the first of them in this order (a chat
# model that also generates images is an image generation model on the catalog pages).
CATEGORY_ORDER = (
    Category.IMAGE_GENERATION,
    Category.VIDEO_GENERATION,
    Category.SPEECH_GENERATION,
    Category.TRANSCRIPTION,
    Category.EMBEDDING,
    Category.RERANK,
    Category.MODERATION,
    Category.OCR,
    Category.SEARCH,
    Category.VECTOR_STORE,
    Category.REALTIME,
    Category.CHAT,
)

CATEGORY_OF_MODE: dict[str, Category] = {
    "chat": Category.CHAT,
    "completion": Category.CHAT,
    "responses": Category.CHAT,
    "embedding": Category.EMBEDDING,
    "image_generation": Category.IMAGE_GENERATION,
    "image_edit": Category.IMAGE_GENERATION,
    "video_generation": Category.VIDEO_GENERATION,
    "audio_speech": Category.SPEECH_GENERATION,
    "audio_transcription": Category.TRANSCRIPTION,
    "realtime": Category.REALTIME,
    "moderation": Category.MODERATION,
    "rerank": Category.RERANK,
    "ocr": Category.OCR,
    "search": Category.SEARCH,
    "vector_store": Category.VECTOR_STORE,
}


@dataclass(frozen=True)
class Meaning:
    """What a raw name asserts: a flag (one of Flag, or another named capability), or a
    modality on the input or output side."""

    flag: str | None = None
    modality_in: Modality | None = None
    modality_out: Modality | None = None


def _flag(name: str) -> tuple[Meaning]:
    return (Meaning(flag=name),)


def _in(modality: Modality, flag: Flag | None = None) -> tuple[Meaning, ...]:
    both = (Meaning(modality_in=modality),)
    return both + ((Meaning(flag=flag),) if flag else ())


def _out(modality: Modality, flag: Flag | None = None) -> tuple[Meaning, ...]:
    both = (Meaning(modality_out=modality),)
    return both + ((Meaning(flag=flag),) if flag else ())


# Every raw capability name the recorded sources state (LiteLLM `supports_<x>` as <x>;
# models.dev booleans and `modalities`; OpenRouter `supported_parameters` and `architecture`
# modalities as input_<m>/output_<m>; Vercel `tags`), and what it asserts. Flags outside the ten
# keep a canonical name of their own.
RAW: dict[str, tuple[Meaning, ...]] = {
    # the ten flags
    "vision": _in(Modality.IMAGE, Flag.VISION),
    "image_input": _in(Modality.IMAGE, Flag.VISION),
    "input_image": _in(Modality.IMAGE, Flag.VISION),
    "pdf_input": _in(Modality.FILE, Flag.PDF_INPUT),
    "input_file": _in(Modality.FILE, Flag.PDF_INPUT),
    "file-input": _in(Modality.FILE, Flag.PDF_INPUT),
    "function_calling": _flag(Flag.FUNCTION_CALLING),
    "tools": _flag(Flag.FUNCTION_CALLING),
    "tool-use": _flag(Flag.FUNCTION_CALLING),
    "structured_output": _flag(Flag.STRUCTURED_OUTPUT),
    "structured_outputs": _flag(Flag.STRUCTURED_OUTPUT),
    "response_schema": _flag(Flag.STRUCTURED_OUTPUT),
    "native_structured_output": _flag(Flag.STRUCTURED_OUTPUT),
    "reasoning": _flag(Flag.REASONING),
    "include_reasoning": _flag(Flag.REASONING),
    "prompt_caching": _flag(Flag.PROMPT_CACHING),
    "implicit-caching": _flag(Flag.PROMPT_CACHING),
    "web_search": _flag(Flag.WEB_SEARCH),
    "web_search_options": _flag(Flag.WEB_SEARCH),
    "audio_input": _in(Modality.AUDIO, Flag.AUDIO_INPUT),
    "input_audio": _in(Modality.AUDIO, Flag.AUDIO_INPUT),
    "audio_output": _out(Modality.AUDIO, Flag.AUDIO_OUTPUT),
    "output_audio": _out(Modality.AUDIO, Flag.AUDIO_OUTPUT),
    "output_speech": _out(Modality.AUDIO, Flag.AUDIO_OUTPUT),
    "native_streaming": _flag(Flag.STREAMING),
    # modalities
    "text_input": _in(Modality.TEXT),
    "input_text": _in(Modality.TEXT),
    "video_input": _in(Modality.VIDEO),
    "input_video": _in(Modality.VIDEO),
    "text_output": _out(Modality.TEXT),
    "output_text": _out(Modality.TEXT),
    "output_transcription": _out(Modality.TEXT),
    "image_output": _out(Modality.IMAGE),
    "output_image": _out(Modality.IMAGE),
    "image-generation": _out(Modality.IMAGE),
    "video_output": _out(Modality.VIDEO),
    "output_video": _out(Modality.VIDEO),
    "pdf_output": _out(Modality.FILE),
    "output_embeddings": _out(Modality.EMBEDDING),
    "embedding_image_input": _in(Modality.IMAGE),
    # other flags sources state
    "output_rerank": _flag("rerank"),
    "tool_choice": _flag("tool_choice"),
    "parallel_function_calling": _flag("parallel_tool_calls"),
    "parallel_tool_calls": _flag("parallel_tool_calls"),
    "parallel_tool_use_config": _flag("parallel_tool_use_config"),
    "strict_tools": _flag("strict_tools"),
    "response_format": _flag("json_mode"),
    "reasoning_effort": _flag("reasoning_effort"),
    "none_reasoning_effort": _flag("reasoning_effort_none"),
    "minimal_reasoning_effort": _flag("reasoning_effort_minimal"),
    "low_reasoning_effort": _flag("reasoning_effort_low"),
    "xhigh_reasoning_effort": _flag("reasoning_effort_xhigh"),
    "max_reasoning_effort": _flag("reasoning_effort_max"),
    "adaptive_thinking": _flag("adaptive_thinking"),
    "system_messages": _flag("system_messages"),
    "mid_conversation_system": _flag("mid_conversation_system"),
    "assistant_prefill": _flag("assistant_prefill"),
    "computer_use": _flag("computer_use"),
    "url_context": _flag("url_context"),
    "attachment": _flag("attachments"),
    "temperature": _flag("temperature"),
    "sampling_params": _flag("sampling_params"),
    "logprobs": _flag("logprobs"),
    "output_config": _flag("output_config"),
    "image_size": _flag("image_size"),
    "multimodal": _flag("multimodal"),
    "speed": _flag("speed"),
    "nova_canvas_image_edit": _flag("image_edit"),
}


@dataclass(frozen=True)
class Statement:
    """One source's statement behind an answer: the raw name (or price) it was read from, and
    when the source's response was observed."""

    source: str
    route: str
    raw: str
    value: bool
    evidence: str
    observed_at: datetime | None = None


@dataclass
class Answer:
    """A flag's or a modality's answer: True, False or None (unknown), with its statements."""

    statements: list[Statement] = field(default_factory=list)

    @property
    def value(self) -> bool | None:
        """True where any statement says so, False where all say not, None where none is stated."""
        if not self.statements:
            return None
        return any(s.value for s in self.statements)

    @property
    def disputed(self) -> bool:
        """Whether the statements say both yes and no."""
        return len({s.value for s in self.statements}) > 1

    @property
    def sources(self) -> list[str]:
        """The sources of the statements, sorted, each once."""
        return sorted({s.source for s in self.statements})


@dataclass
class Profile:
    """A model's capabilities: the ten flags, other flags, modalities in and out, category."""

    flags: dict[Flag, Answer]
    other_flags: dict[str, Answer]
    modalities_in: dict[Modality, Answer]
    modalities_out: dict[Modality, Answer]
    categories: dict[Category, list[Statement]]
    unmapped: list[Statement]

    @property
    def category(self) -> Category | None:
        """The category the model is shown under (CATEGORY_ORDER), None when no source says."""
        return next((c for c in CATEGORY_ORDER if c in self.categories), None)


def _statement(obs: Observation, raw: str, value: bool) -> Statement:
    return Statement(obs.source, obs.route, raw, value, obs.evidence, obs.observed_at)


class Stated(Protocol):
    """A value of a field: an observation, or a catalog value in force."""

    @property
    def kind(self) -> Kind:
        """A price, a limit or a capability."""

    @property
    def component(self) -> Component:
        """What of the model it is for (input, output, supports...)."""

    @property
    def unit(self) -> Unit:
        """Its unit (USD per 1M tokens, per image, a boolean...)."""

    @property
    def dimensions(self) -> Dims:
        """Its dimensions (modality, capability name, scope...)."""

    @property
    def value(self) -> Decimal:
        """The value (a capability: 1 true, 0 false)."""


def flags_answered(raw: str) -> set[str]:
    """The flags a capability stated under the raw name `raw` answers: the name itself and
    each flag the vocabulary reads it as (OpenRouter's `input_image`: vision)."""
    return {raw, *(m.flag for m in RAW.get(raw, ()) if m.flag is not None)}


def modalities_stated(stated: Stated) -> list[tuple[str, Modality]]:
    """The (side, modality) pairs a value says its model takes ("in") or gives ("out"), as
    `profile` reads them: a positive price of a modality's tokens or of images out, or a
    capability stated true whose raw name means a modality (LiteLLM's `supports_vision`: image
    in; OpenRouter's `input_file`: file in). Empty for any other value."""
    if stated.kind is Kind.PRICE:
        found = _price_modality(stated)
        return [found] if found is not None and stated.value > 0 else []
    if stated.kind is not Kind.CAPABILITY or stated.component is Component.MODE:
        return []
    if stated.value != 1:
        return []
    raw = stated.dimensions.get(Dim.CAPABILITY.value, "")
    return [
        (side, modality)
        for meaning in RAW.get(raw, ())
        for side, modality in (("in", meaning.modality_in), ("out", meaning.modality_out))
        if modality is not None
    ]


def _price_modality(obs: Stated) -> tuple[str, Modality] | None:
    """The side and modality a price states (input of audio, output of image...), if any."""
    if obs.unit in (Unit.PER_IMAGE, Unit.PER_PIXEL) and obs.component is Component.OUTPUT:
        return "out", Modality.IMAGE
    if obs.unit is not Unit.PER_1M_TOKENS:
        return None
    name = obs.dimensions.get(Dim.MODALITY.value, Modality.TEXT.value)
    if name not in MODALITIES:
        return None
    modality = Modality(name)
    if obs.component in (Component.INPUT, Component.CACHE_READ, Component.CACHE_WRITE):
        return "in", modality
    if obs.component is Component.OUTPUT:
        return "out", modality
    return None


def profile(observations: Iterable[Observation]) -> Profile:
    """The capability profile of one model from its observations (any sources and routes; other
    kinds of observation contribute only the modalities their prices state). Pure."""
    flags = {f: Answer() for f in Flag}
    other: dict[str, Answer] = {}
    sides: dict[str, dict[Modality, Answer]] = {
        "in": {m: Answer() for m in Modality},
        "out": {m: Answer() for m in Modality},
    }
    categories: dict[Category, list[Statement]] = {}
    unmapped: list[Statement] = []
    for obs in observations:
        if obs.kind is Kind.PRICE:
            found = _price_modality(obs)
            if found is not None and obs.value > 0:
                side, modality = found
                raw = f"price:{obs.component.value}"
                sides[side][modality].statements.append(_statement(obs, raw, True))
            continue
        if obs.kind is not Kind.CAPABILITY:
            continue
        if obs.component is Component.MODE:
            raw = obs.dimensions.get(Dim.MODE.value, "")
            category = CATEGORY_OF_MODE.get(raw)
            if category is None:
                unmapped.append(_statement(obs, f"mode:{raw}", obs.value == 1))
            else:
                categories.setdefault(category, []).append(_statement(obs, f"mode:{raw}", True))
            continue
        raw = obs.dimensions.get(Dim.CAPABILITY.value, "")
        statement = _statement(obs, raw, obs.value == 1)
        meanings = RAW.get(raw)
        if meanings is None:
            unmapped.append(statement)
            continue
        for meaning in meanings:
            if meaning.flag in flags:
                flags[Flag(meaning.flag)].statements.append(statement)
            elif meaning.flag is not None:
                other.setdefault(meaning.flag, Answer()).statements.append(statement)
            if meaning.modality_in is not None:
                sides["in"][meaning.modality_in].statements.append(statement)
            if meaning.modality_out is not None:
                sides["out"][meaning.modality_out].statements.append(statement)
    return Profile(flags, other, sides["in"], sides["out"], categories, unmapped)
