"""Extensions created unbound here and bound to the application in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from courseware.db import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
# When Redis does not answer, limits are counted in this process's memory (Flask-Limiter logs the
# switch once, and switches back when Redis answers again), and a failure to count is logged
# rather than turning the page into an error.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)
