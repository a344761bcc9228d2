"""Unbound extension objects; `create_app` binds them with `init_app`."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from connector.api import ConnectorApi
from connector.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# No default limit: limits are set where abuse matters (login, token).
limiter = Limiter(key_func=get_remote_address)
api = ConnectorApi()
# gzip or brotli (zstd where the browser offers it) for pages, CSS, JS and JSON: the app does it
# itself, as a Procfile platform's router may pass responses through uncompressed.
compress = Compress()
