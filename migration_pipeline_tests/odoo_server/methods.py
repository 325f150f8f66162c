"""The public model methods, their Python signatures, and how each protocol binds arguments.

XML-RPC and JSON-RPC `execute_kw(..., method, args, kwargs)` bind like a Python call: for a
record method `args[0]` are the ids; the rest bind positionally, then `kwargs` by name (and
`kwargs["context"]` becomes the call's context). Binding errors are the TypeErrors Python
would raise, with Odoo's class in the name (`BaseModel.search() missing 1 required positional
argument: 'domain'`). `create` with one dict returns an id, with a list a list of ids.

JSON-2 binds the body's keys by name only (`inspect.Signature.bind`): a missing or unknown
parameter is 422 with Python's bind message, except that methods taking `**kwargs` (search_read)
accept anything and fail later, exactly as recorded. A model-level method called with `ids`
is 422; results that are records come back as lists of ids.

A name starting with `_` is an AccessError (private method); a name that is no public method of
that model is an AttributeError (XML-RPC fault 1) / 404 (JSON-2). Public Odoo methods the double
does not implement say so (NotImplementedError) instead of pretending they do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from . import errors, importer, mail
from .domain import text_test
from .schema import MODELS

if TYPE_CHECKING:
    from .orm import Env

REQUIRED = object()


@dataclass
class Method:
    name: str
    model_level: bool  # @api.model: no ids
    params: list[tuple[str, Any]]  # (name, default or REQUIRED), after self
    impl: Callable[..., Any]
    owner: str = "BaseModel"  # the class Python's messages name
    var_kw: bool = False
    keyword_only: bool = False
    models: set[str] | None = None  # None: every model
    returns_records: bool = False  # a recordset: `.ids` in every protocol

    @property
    def qualname(self) -> str:
        return f"{self.owner}.{self.name}"


def _create(env: Env, model: str, ids: Any, vals_list: Any) -> list[int]:
    return env.create(model, [vals_list] if isinstance(vals_list, dict) else list(vals_list or []))


def _read(env: Env, model: str, ids: list[int], fields: Any = None, load: Any = "_classic_read") -> Any:
    return env.read(model, ids, _names(fields), load)


def _search_read(env: Env, model: str, ids: Any, domain: Any = None, fields: Any = None, offset: Any = 0,
                 limit: Any = None, order: Any = None, **read_kwargs: Any) -> Any:
    found = env.search(model, domain or [], offset, limit, order)
    unknown = [key for key in read_kwargs if key != "load"]
    if unknown:
        raise TypeError(f"BaseModel._read_format() got an unexpected keyword argument {unknown[0]!r}")
    return env.read(model, found, _names(fields), read_kwargs.get("load", "_classic_read"))


def _names(fields: Any) -> list[str] | None:
    if fields is None or fields is False:
        return None
    if isinstance(fields, str):
        return [fields]
    return list(fields)


def _get_external_id(env: Env, model: str, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for row in sorted(env.db.rows("ir.model.data").values(), key=lambda r: r["id"]):
        if row.get("model") == model and row.get("res_id") in ids:
            found.setdefault(row["res_id"], f"{row['module']}.{row['name']}")
    return {rid: found.get(rid, "") for rid in ids}  # int keys: XML-RPC cannot marshal them, as on Odoo


def _name_search(env: Env, model: str, ids: Any, name: Any = "", domain: Any = None, operator: Any = "ilike",
                 limit: Any = 100) -> list[list[Any]]:
    found = env.search(model, domain or [])
    if name:
        test = text_test(operator, name)
        found = [rid for rid in found if test(env.display_name(model, rid))]
    return [[rid, env.display_name(model, rid)] for rid in found[:limit or None]]


def _context_get(env: Env, model: str, ids: Any) -> dict[str, Any]:
    return {"lang": env.context.get("lang") or env.value("res.users", env.user, "lang") or "en_US",
            "tz": env.value("res.users", env.user, "tz") or False, "uid": env.uid}


def _archive(active: bool) -> Callable[..., bool]:
    def impl(env: Env, model: str, ids: list[int]) -> bool:
        if "active" not in env.fields(model):
            raise errors.UserError(f"This model has no 'active' field: {model}")
        return env.write(model, ids, {"active": active})
    return impl


THREADS = {name for name, info in MODELS.items() if info.thread}

METHODS: dict[str, Method] = {method.name: method for method in [
    Method("create", True, [("vals_list", REQUIRED)], _create, returns_records=True),
    Method("read", False, [("fields", None), ("load", "_classic_read")], _read),
    Method("write", False, [("vals", REQUIRED)], lambda env, model, ids, vals: env.write(model, ids, vals)),
    Method("unlink", False, [], lambda env, model, ids: env.unlink(model, ids)),
    Method("search", True, [("domain", REQUIRED), ("offset", 0), ("limit", None), ("order", None)],
           lambda env, model, ids, domain, offset=0, limit=None, order=None: env.search(model, domain, offset, limit,
                                                                                     order)),
    Method("search_count", True, [("domain", REQUIRED), ("limit", None)],
           lambda env, model, ids, domain, limit=None: len(env.search(model, domain, 0, limit, "id"))),
    Method("search_read", True, [("domain", None), ("fields", None), ("offset", 0), ("limit", None),
                                 ("order", None)], _search_read, var_kw=True),
    Method("fields_get", True, [("allfields", None), ("attributes", None)],
           lambda env, model, ids, allfields=None, attributes=None: env.fields_get(model, allfields, attributes)),
    Method("load", True, [("fields", REQUIRED), ("data", REQUIRED)],
           lambda env, model, ids, fields, data: importer.load(env, model, fields, data)),
    Method("get_external_id", False, [], _get_external_id),
    Method("name_search", True, [("name", ""), ("domain", None), ("operator", "ilike"), ("limit", 100)],
           _name_search),
    Method("action_archive", False, [], _archive(False)),
    Method("action_unarchive", False, [], _archive(True)),
    Method("message_post", False, [(name, default) for name, default in (
        ("body", ""), ("subject", None), ("message_type", "notification"), ("email_from", None),
        ("author_id", None), ("parent_id", False), ("subtype_xmlid", None), ("subtype_id", False),
        ("partner_ids", None), ("outgoing_email_to", False), ("attachments", None), ("attachment_ids", None),
        ("body_is_html", False))],
        lambda env, model, ids, **kwargs: mail.message_post(env, model, ids, **kwargs),
        owner="MailThread", var_kw=True, keyword_only=True, models=THREADS, returns_records=True),
    Method("context_get", True, [], _context_get, owner="ResUsers", models={"res.users"}),
]}

# Public methods of Odoo 19 models the double does not implement.
NOT_IMPLEMENTED = {"copy", "copy_data", "default_get", "name_create", "read_group", "web_read", "web_save",
                   "web_search_read", "web_read_group", "onchange", "export_data", "search_fetch",
                   "check_access_rights", "check_access", "has_access", "toggle_active", "exists",
                   "fetch", "message_subscribe", "message_unsubscribe", "activity_schedule",
                   "action_set_won", "action_set_lost", "action_set_won_rainbowman", "convert_opportunity"}


def resolve(model: str, name: str) -> Method:
    """Odoo's `get_public_method`: private names are refused, unknown names do not exist."""
    if name.startswith("_"):
        raise errors.AccessError(f"Private methods (such as '{model}.{name}') cannot be called remotely.")
    method = METHODS.get(name)
    if method is None or (method.models is not None and model not in method.models):
        if name in NOT_IMPLEMENTED:
            raise NotImplementedError(f"The Odoo test double does not implement {model}.{name}")
        raise AttributeError(f"The method '{model}.{name}' does not exist")
    return method


def bind_positional(method: Method, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Python's binding of `method(self, *args, **kwargs)`, with Python's error messages."""
    names = [name for name, _ in method.params]
    positional = [] if method.keyword_only else names
    if len(args) > len(positional):
        required = sum(1 for _, default in method.params if default is REQUIRED and not method.keyword_only) + 1
        total = len(positional) + 1
        takes = f"{total}" if required == total else f"from {required} to {total}"
        plural = "argument" if total == 1 else "arguments"
        raise TypeError(f"{method.qualname}() takes {takes} positional {plural} but {len(args) + 1} "
                        f"{'was' if len(args) + 1 == 1 else 'were'} given")
    bound = dict(zip(positional, args))
    for key, value in kwargs.items():
        if key in bound:
            raise TypeError(f"{method.qualname}() got multiple values for argument {key!r}")
        if key not in names and not method.var_kw:
            raise TypeError(f"{method.qualname}() got an unexpected keyword argument {key!r}")
        bound[key] = value
    missing = [name for name, default in method.params if default is REQUIRED and name not in bound]
    if missing:
        listed = " and ".join(repr(name) for name in missing)
        raise TypeError(f"{method.qualname}() missing {len(missing)} required positional argument"
                        f"{'s' if len(missing) > 1 else ''}: {listed}")
    return bound


def bind_named(method: Method, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`inspect.Signature.bind(records, **kwargs)`; raises TypeError with its messages."""
    names = {name for name, _ in method.params}
    for name, default in method.params:  # Signature.bind reports missing parameters first
        if default is REQUIRED and name not in kwargs:
            raise TypeError(f"missing a required argument: {name!r}")
    for key in kwargs:
        if key not in names and not method.var_kw:
            raise TypeError(f"got an unexpected keyword argument {key!r}")
    return dict(kwargs)


def call(env: Env, model: str, method: Method, ids: list[int] | None, bound: dict[str, Any]) -> Any:
    return method.impl(env, model, ids if ids is not None else [], **bound)


def normalize_ids(value: Any) -> list[int]:
    if isinstance(value, bool):
        raise TypeError(f"Invalid ids: {value!r}")
    if isinstance(value, int):
        return [value]
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, int) or isinstance(item, bool):
                raise TypeError(f"Invalid ids: {value!r}")
        return list(value)
    raise TypeError(f"Invalid ids: {value!r}")


def call_kw(env: Env, model: str, name: str, args: list[Any], kwargs: dict[str, Any], version: int) -> Any:
    """XML-RPC / JSON-RPC `execute_kw` after authentication and the model check."""
    method = resolve(model, name)
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None)
    if context:
        env = env.with_context(**context)
    args = list(args or [])
    if method.model_level:
        bound = bind_positional(method, args, kwargs)
        result = call(env, model, method, None, bound)
        if name == "create" and isinstance(bound.get("vals_list"), dict):
            return result[0]
        return result
    if not args:
        raise IndexError("list index out of range")
    ids = normalize_ids(args[0])
    bound = bind_positional(method, args[1:], kwargs)
    result = call(env, model, method, ids, bound)
    if name == "message_post" and version < 19:  # @api.returns downgraded records to one id before 19.0
        return result[0]
    return result
