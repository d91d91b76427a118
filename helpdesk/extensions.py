"""Flask extensions, created unbound here and initialised in create_app()."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from helpdesk.db import Base
from helpdesk.i18n import CatalogDomain

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
babel.domain_instance = CatalogDomain()  # finds translations/zh_CN/ (see CatalogDomain)
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window")
bootstrap = Bootstrap5()
