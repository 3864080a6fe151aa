import hashlib
import hmac
import html


def escape(text):
    return html.escape(text, quote=True)


def hash_password(password, salt):
    if not salt:
        raise ValueError("a salt is required")
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000).hex()


def check_password(password, salt, digest):
    return hmac.compare_digest(hash_password(password, salt), digest)
