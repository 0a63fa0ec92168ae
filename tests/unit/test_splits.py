from analysis.splits import TEST_FRACTION, is_test_id


def test_split_is_stable_and_close_to_the_fraction() -> None:
    ids = [f"sms{n}" for n in range(10001, 20001)]
    held_out = [is_test_id(i) for i in ids]
    assert held_out == [is_test_id(i) for i in ids]
    share = sum(held_out) / len(ids)
    assert abs(share - TEST_FRACTION) < 0.02


def test_split_of_an_id_does_not_depend_on_other_ids() -> None:
    assert is_test_id("sms12345") == is_test_id("sms12345")
    assert is_test_id("x", test_fraction=0.0) is False
    assert is_test_id("x", test_fraction=1.0) is True
