"""Passwords are argon2id; the production profile keeps argon2-cffi's recommended cost."""

from network.accounts import passwords


def test_production_profile_uses_the_recommended_argon2id_cost(app):
    app.config["PASSWORD_HASH_PROFILE"] = "standard"
    stored = passwords.hash_password("korrekt-hast-batteri")
    assert stored.startswith("$argon2id$") and "m=65536,t=3,p=4" in stored
    assert passwords.verify_password(stored, "korrekt-hast-batteri")
    assert not passwords.verify_password(stored, "fel-lösenord")


def test_a_cheap_hash_still_verifies_and_is_marked_for_rehash_in_production(app):
    cheap = passwords.hash_password("korrekt-hast-batteri")  # the test profile
    app.config["PASSWORD_HASH_PROFILE"] = "standard"
    assert passwords.verify_password(cheap, "korrekt-hast-batteri")
    assert passwords.needs_rehash(cheap)


def test_unknown_email_is_checked_against_a_dummy_hash():
    assert passwords.verify_password(None, "vad-som-helst") is False
