"""The server's services, independent of the wire protocol.

- `common`: `version()`, `authenticate(db, login, password, env)` / `login(db, login, password)`.
  A wrong password is not an error: the answer is `False`. The API key works as a password.
- `object`: `execute_kw(db, uid, password, model, method, args, kwargs)` (and `execute`). The
  order of checks is the real one: password (AccessDenied), private method name (AccessError),
  model (UserError "Object x doesn't exist"), then the method itself.
- JSON-2: the bearer key is checked by the HTTP layer; `json2()` then checks model, method, ids
  and named arguments.

Every call holds the database lock and runs in one transaction (`Database.atomic`).
"""

from __future__ import annotations

from typing import Any

from . import errors, methods, seed
from .config import OdooConfig
from .orm import Env, Schema
from .schema import MODELS
from .state import Database


class Odoo:
    def __init__(self, config: OdooConfig):
        self.config = config
        self.db = Database()
        self.schema = Schema(self.db)
        seed.populate(self.db, config)

    def env(self, uid: int, context: dict[str, Any] | None = None) -> Env:
        return Env(self, uid, context)

    # ---- common ---------------------------------------------------------------------------------
    def version(self) -> dict[str, Any]:
        return {"server_version": self.config.version, "server_version_info": self.config.version_info(),
                "server_serie": self.config.version, "protocol_version": 1}

    def common(self, method: str, params: list[Any]) -> Any:
        if method == "version":
            return self.version()
        if method in ("authenticate", "login"):
            db, login, password = (list(params) + [None, None, None])[:3]
            self._check_db(db)
            return self.authenticate(login, password)
        if method == "about":
            return "See http://openerp.com"
        raise AttributeError(f"'common' service has no method {method!r}")

    def authenticate(self, login: Any, password: Any) -> int | bool:
        with self.db.lock:
            uid = self.db.lookup("res.users", "login", login)
            user = self.db.row("res.users", uid)
            if user is None or not user.get("active") or not self._password_ok(user, password):
                return False
            return uid  # type: ignore[return-value]

    def _password_ok(self, user: dict[str, Any], password: Any) -> bool:
        return bool(password) and password in (user.get("_password"), user.get("_api_key"))

    def _check_db(self, db: Any) -> None:
        if db != self.config.database:
            raise errors.OperationalError(
                f'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                f'FATAL:  database "{db}" does not exist\n')

    # ---- object ---------------------------------------------------------------------------------
    def object(self, method: str, params: list[Any]) -> Any:
        if method not in ("execute_kw", "execute"):
            raise NameError(f"Method not available {method}")
        db, uid, password = params[0], int(params[1]), params[2]
        self._check_db(db)
        with self.db.lock:
            user = self.db.row("res.users", uid)
            if user is None or not user.get("active") or not self._password_ok(user, password):
                raise errors.AccessDenied()
        if method == "execute_kw":
            model, name, args = params[3], params[4], params[5]
            kwargs = params[6] if len(params) > 6 else {}
        else:
            model, name, args, kwargs = params[3], params[4], list(params[5:]), {}
        if isinstance(name, str) and name.startswith("_"):
            raise errors.AccessError(f"Private methods (such as '{model}.{name}') cannot be called remotely.")
        if model not in MODELS:
            raise errors.UserError(f"Object {model} doesn't exist")
        with self.db.lock, self.db.atomic():
            return methods.call_kw(self.env(uid), model, name, args, kwargs or {}, self.config.major())

    # ---- JSON-2 ---------------------------------------------------------------------------------
    def json2(self, uid: int, model: str, name: str, ids: Any, context: Any, kwargs: dict[str, Any]) -> Any:
        if model not in MODELS:
            raise errors.NotFound(f"the model {model!r} does not exist")
        try:
            method = methods.resolve(model, name)
        except AttributeError as exc:
            raise errors.NotFound(exc.args[0]) from None
        if method.model_level and ids:
            raise errors.UnprocessableEntity(f"cannot call {model}.{name} with ids")
        try:
            bound = methods.bind_named(method, kwargs)
        except TypeError as exc:
            raise errors.UnprocessableEntity(exc.args[0]) from None
        env = self.env(uid, context if isinstance(context, dict) else {})
        with self.db.lock, self.db.atomic():
            return methods.call(env, model, method, methods.normalize_ids(ids) if ids else [], bound)
