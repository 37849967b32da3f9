# El proceso de inicio de sesión: formulario, elección del factor, introducción del código,
# espera de la notificación push, recuperación.

## Sign-in form (signin.html.tera).
signin-title = Iniciar sesión
signin-lead = Le damos de nuevo la bienvenida a { $product }.
signin-username = Nombre de usuario
signin-password = Contraseña
signin-remember = Mantener la sesión iniciada
signin-forgot = ¿Ha olvidado su contraseña?
signin-submit = Iniciar sesión
signin-passwordless = O inicie sesión sin contraseña

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = Código de una aplicación de autenticación
method-push = Notificación push a Okta Verify
method-sms = Código por mensaje de texto (SMS)
method-voice = Código por llamada telefónica
method-email = Código por correo electrónico

## Factor choice (factor.html.tera).
factor-title = Confirme su identidad
factor-lead = Elija cómo quiere confirmar que es usted.
factor-recovery-title = Restablecer la contraseña
factor-recovery-lead = Elija cómo comprobamos que es usted antes de que elija una nueva contraseña.
factor-group = Métodos de verificación

## Code entry (verify.html.tera).
verify-otp-title = Introduzca el código de su aplicación de autenticación
verify-otp-hint = Abra su aplicación de autenticación y escriba el código de 6 dígitos que muestra.
verify-sms-title = Introduzca el código que le enviamos por SMS
verify-sms-hint = Hemos enviado un código de un solo uso por SMS al número de teléfono de su cuenta.
verify-voice-title = Introduzca el código de nuestra llamada
verify-voice-hint = Estamos llamando al número de teléfono de su cuenta para dictarle un código de un solo uso.
verify-email-title = Introduzca el código que le enviamos por correo electrónico
verify-email-hint = Hemos enviado un código de un solo uso a la dirección de correo electrónico de su cuenta.
verify-push-title = Introduzca su código
verify-code = Código de un solo uso
verify-submit = Verificar
verify-no-code = ¿No lo ha recibido?
verify-resend = Enviar un código nuevo
verify-resend-in = { $seconds ->
    [one] Disponible en { $seconds } segundo.
   *[other] Disponible en { $seconds } segundos.
}

## Links under every step.
step-switch = Probar de otra forma
step-cancel = Cancelar

## Push wait (wait.html.tera and wait.js).
wait-title = Revise su teléfono
wait-lead = Hemos enviado una solicitud de inicio de sesión a Okta Verify para { $username }.
wait-number = Toque este número en Okta Verify:
wait-number-label = Número que debe tocar: { $number }
wait-waiting = Esperando su aprobación…
wait-continue = Ya lo he aprobado, continuar
wait-approved = Aprobado. Iniciando sesión…
wait-denied = La solicitud se ha rechazado. Volviendo…
wait-expired = La solicitud ha caducado. Volviendo…
wait-continuing = Continuando…

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = Restablecer la contraseña
recover-lead = Díganos quién es. Comprobaremos que es usted con un código de un solo uso o una notificación push y, después, elegirá una nueva contraseña.
recover-continue = Continuar
recover-back = Volver al inicio de sesión
new-password-title = Elija una nueva contraseña
new-password-lead = Escríbala dos veces. La usará para iniciar sesión a continuación.
new-password-field = Nueva contraseña
new-password-again = Repita la nueva contraseña
new-password-submit = Cambiar la contraseña

## Notices: one line at the top of a step.
notice-expired = Este paso ha tardado demasiado y ha caducado. Vuelva a empezar.
notice-cancelled = Inicio de sesión cancelado.
notice-denied = La solicitud de inicio de sesión se ha rechazado en su dispositivo.
notice-code-sent = Le hemos enviado un código de un solo uso.
notice-code-resent = Le hemos enviado un nuevo código de un solo uso.
notice-resend-wait = { $seconds ->
    [one] Podrá solicitar un código nuevo dentro de { $seconds } segundo.
   *[other] Podrá solicitar un código nuevo dentro de { $seconds } segundos.
}
notice-resend-limit = Ha solicitado demasiados códigos. Use el último que le enviamos o vuelva a empezar.
notice-method-unavailable = Ese método no está disponible para su cuenta. Elija otro.
notice-too-many-attempts = Demasiados códigos incorrectos. Vuelva a empezar.
notice-choose-another = Elija otra forma de verificación.
notice-signed-out = Se ha cerrado su sesión.
notice-session-ended = Su sesión ha finalizado. Vuelva a iniciar sesión.
notice-confirm-identity = Para abrir esta página, confirme que es usted: vuelva a iniciar sesión.
notice-password-changed = Se ha cambiado su contraseña. Inicie sesión con la nueva contraseña.
notice-confirm-change = Para realizar este cambio, confirme que es usted: vuelva a iniciar sesión. Su cambio se conserva y se aplicará después.

## Form errors beside a field.
invalid-username-empty = Introduzca su nombre de usuario.
invalid-username = Ese nombre de usuario no es válido.
invalid-password-empty = Introduzca su contraseña.
invalid-password-long = Esa contraseña es demasiado larga.
invalid-method = Elija una forma de iniciar sesión.
invalid-factor = Elija una de las opciones.
invalid-credentials = El nombre de usuario o la contraseña no son correctos.
invalid-code-wrong = Ese código no ha funcionado. Compruébelo e inténtelo de nuevo.
invalid-code-empty = Introduzca el código.
invalid-code-long = Ese código es demasiado largo.
invalid-code-digits = El código solo contiene dígitos.
invalid-code-alphanumeric = El código solo contiene letras y dígitos.
invalid-new-password-empty = Introduzca una nueva contraseña.
invalid-passwords-differ = Las dos contraseñas no coinciden.
invalid-password-weak = Elija una contraseña más segura:

## A password policy's rules, in words.
rule-min-length = { $count ->
    [one] Use al menos { $count } carácter.
   *[other] Use al menos { $count } caracteres.
}
rule-longer = Use más caracteres.
rule-lowercase = Incluya una letra minúscula.
rule-uppercase = Incluya una letra mayúscula.
rule-number = Incluya un número.
rule-symbol = Incluya un símbolo, como ! o #.
rule-no-username = No use ninguna parte de su nombre de usuario.
rule-history = Elija una contraseña que no haya usado: ni la actual ni ninguna de las { $count } últimas.
rule-history-any = Elija una contraseña que no haya usado antes.
rule-policy = La política de contraseñas de su organización no acepta esta contraseña. Pruebe con una más larga.
