"""Open-data personas: a publisher of the Department of Justice and one of the Department of
Finance (the other organisation that must be refused), with their API tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import make_user
from cqs.accounts.models import User
from cqs.accounts.services import api_token_issue
from cqs.org.models import Membership, Role


@dataclass
class Publisher:
    user: User
    token: str


def _publisher(username: str, agency) -> Publisher:
    user = make_user(username)
    Membership.objects.create(user=user, agency=agency, role=Role.PUBLISHER)
    return Publisher(user=user, token=api_token_issue(user=user).token)


@pytest.fixture
def publisher(personas, org) -> Publisher:
    return _publisher("congbo.tuphap", org.justice)


@pytest.fixture
def other_publisher(personas, org) -> Publisher:
    return _publisher("congbo.taichinh", org.finance)
