"""Identity commands: USER, GROUP, ROLE, TENANT, MAPPING_RULE and AUTHORIZATION (docs/identity.md).

``register`` is the one place wiring these (value type, intent) pairs to their processors; every
identity record is created on partition 1 and distributed to the others (``_support``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.identity._kinds import GROUP, ROLE, TENANT
from strom.engine.processing.identity.authorization import (
    AuthorizationCreateProcessor,
    AuthorizationDeleteProcessor,
    AuthorizationUpdateProcessor,
)
from strom.engine.processing.identity.entity import (
    EntityCreateProcessor,
    EntityDeleteProcessor,
    EntityUpdateProcessor,
)
from strom.engine.processing.identity.mapping_rule import (
    MappingRuleCreateProcessor,
    MappingRuleDeleteProcessor,
    MappingRuleUpdateProcessor,
)
from strom.engine.processing.identity.membership import EntityAddProcessor, EntityRemoveProcessor
from strom.engine.processing.identity.user import (
    UserCreateInitialAdminProcessor,
    UserCreateProcessor,
    UserDeleteProcessor,
    UserUpdateProcessor,
)
from strom.engine.state import ProcessingState
from strom.protocol.enums import ValueType
from strom.protocol.intents import AuthorizationIntent, MappingRuleIntent, UserIntent
from strom.stream.key_generator import KeyGenerator

if TYPE_CHECKING:  # the processing package imports this module while it is being imported
    from strom.engine.processing import Processors


def register(
    processors: Processors, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator
) -> None:
    """Add the identity processors to ``processors`` (``strom.engine.processing.Processors``)."""
    deps = (state, behaviors, keys)
    user = ValueType.USER
    processors.register(user, UserIntent.CREATE, UserCreateProcessor(*deps))
    processors.register(user, UserIntent.UPDATE, UserUpdateProcessor(*deps))
    processors.register(user, UserIntent.DELETE, UserDeleteProcessor(*deps))
    processors.register(user, UserIntent.CREATE_INITIAL_ADMIN, UserCreateInitialAdminProcessor(state, keys))
    for kind in (GROUP, ROLE, TENANT):
        processors.register(kind.value_type, kind.intent("CREATE"), EntityCreateProcessor(kind, *deps))
        processors.register(kind.value_type, kind.intent("UPDATE"), EntityUpdateProcessor(kind, *deps))
        processors.register(kind.value_type, kind.intent("DELETE"), EntityDeleteProcessor(kind, *deps))
        processors.register(kind.value_type, kind.intent("ADD_ENTITY"), EntityAddProcessor(kind, *deps))
        processors.register(kind.value_type, kind.intent("REMOVE_ENTITY"), EntityRemoveProcessor(kind, *deps))
    rule = ValueType.MAPPING_RULE
    processors.register(rule, MappingRuleIntent.CREATE, MappingRuleCreateProcessor(*deps))
    processors.register(rule, MappingRuleIntent.UPDATE, MappingRuleUpdateProcessor(*deps))
    processors.register(rule, MappingRuleIntent.DELETE, MappingRuleDeleteProcessor(*deps))
    authorization = ValueType.AUTHORIZATION
    processors.register(authorization, AuthorizationIntent.CREATE, AuthorizationCreateProcessor(*deps))
    processors.register(authorization, AuthorizationIntent.UPDATE, AuthorizationUpdateProcessor(*deps))
    processors.register(authorization, AuthorizationIntent.DELETE, AuthorizationDeleteProcessor(*deps))
