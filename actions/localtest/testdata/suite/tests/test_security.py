import pytest

from app import security


@pytest.mark.security
def test_escape_blocks_script_tags():
    assert security.escape("<script>") == "&lt;script&gt;"


@pytest.mark.security
@pytest.mark.unit
def test_password_roundtrip():
    digest = security.hash_password("s3cret", b"salt")
    assert security.check_password("s3cret", b"salt", digest)
    assert not security.check_password("guess", b"salt", digest)


@pytest.mark.security
def test_salt_required():
    with pytest.raises(ValueError):
        security.hash_password("x", b"")
