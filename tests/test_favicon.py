"""Browsers ask for /favicon.ico whatever the page links; it is there."""


def test_favicon_is_served_as_an_icon(client):
    response = client.get("/favicon.ico")
    response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response.headers["Cache-Control"]
