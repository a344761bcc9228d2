import pytest
from sqlalchemy import func, select

from connector.auth.models import User


def count_users(db_session) -> int:
    return db_session.scalar(select(func.count(User.id)))


def test_create_an_agent_for_a_province(runner, db_session):
    result = runner.invoke(args=["users", "create", "--username", "nv.hailang2", "--password",
                                 "mat-khau-dai-du", "--role", "agent", "--province", "44"])
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.username == "nv.hailang2"))
    assert user.role == "agent" and user.province.short_name == "Quảng Trị"


def test_unknown_province_is_refused_in_vietnamese_and_nothing_is_saved(runner, db_session):
    before = count_users(db_session)
    result = runner.invoke(args=["users", "create", "--username", "nv.x", "--password",
                                 "mat-khau-dai-du", "--role", "agent", "--province", "99"])
    assert result.exit_code == 1
    assert "Mã tỉnh không tồn tại: 99." in result.output
    assert count_users(db_session) == before


def test_officer_without_province_and_short_password_are_refused(runner, db_session):
    before = count_users(db_session)
    result = runner.invoke(args=["users", "create", "--username", "cb.x", "--password", "ngan",
                                 "--role", "officer"])
    assert result.exit_code == 1
    assert "Mật khẩu phải có từ 10 đến 128 ký tự." in result.output
    assert "phải có tỉnh phụ trách" in result.output
    assert count_users(db_session) == before


def test_duplicate_username_is_refused(runner):
    args = ["users", "create", "--username", "qt.admin", "--password", "mat-khau-dai-du", "--role", "admin"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "Tên đăng nhập này đã có người dùng." in again.output


def test_set_password_and_deactivate_from_the_command_line(runner, db_session):
    created = runner.invoke(args=["users", "create", "--username", "nv.doimatkhau", "--password",
                                  "mat-khau-dai-du", "--role", "agent", "--province", "44"])
    assert created.exit_code == 0, created.output
    too_short = runner.invoke(args=["users", "set-password", "--username", "nv.doimatkhau"], input="ngan\nngan\n")
    assert too_short.exit_code != 0 and "10" in too_short.output
    done = runner.invoke(args=["users", "set-password", "--username", "nv.doimatkhau"],
                         input="mot-mat-khau-moi\nmot-mat-khau-moi\n")
    assert done.exit_code == 0, done.output
    gone = runner.invoke(args=["users", "deactivate", "--username", "nv.doimatkhau"])
    assert gone.exit_code == 0, gone.output
    user = db_session.scalar(select(User).where(User.username == "nv.doimatkhau"))
    db_session.refresh(user)
    assert user.session_version == 2 and user.active is False
    assert runner.invoke(args=["users", "deactivate", "--username", "nobody.here"]).exit_code == 1


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "password123", "matkhau123", "qwertyuiop"])
def test_common_passwords_are_refused(runner, db_session, weak):
    """Issue 15, finding 9: a password of aaaaaaaaaa was accepted."""
    result = runner.invoke(args=["users", "create", "--username", "nv.yeu", "--password", weak, "--role", "agent",
                                 "--province", "44"])
    assert result.exit_code == 1 and "quá phổ biến" in result.output
