def test_library_page_lists_a_public_resource_for_visitors(client, library, db):
    r = library.resource(visibility="public")
    db.session.commit()
    response = client.get("/bibliotek/")
    assert response.status_code == 200
    assert r.title.encode() in response.data
