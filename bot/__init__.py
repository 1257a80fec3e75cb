"""allybot: turns sympathy into action for persecuted LGBTI people in Chechnya."""
