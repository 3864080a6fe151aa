def test_like_name_but_not_a_test_file():
    pass
