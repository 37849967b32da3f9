# La página de inicio y la página de la cuenta.

## Home (home.html.tera).
home-welcome-back = Hola de nuevo, { $name }
# $name when the profile has no name.
home-you = usted
home-signed-in = Ha iniciado sesión.
home-signed-in-as = Ha iniciado sesión como { $email }.
home-account = Su cuenta
home-sign-out = Cerrar sesión
home-welcome = Le damos la bienvenida a { $product }
home-not-signed-in = No ha iniciado sesión.
home-sign-in = Iniciar sesión

## Account (account.html.tera).
account-title = Su cuenta
account-sign-out = Cerrar sesión
account-profile = Perfil
account-name = Nombre
account-email = Correo electrónico
account-username = Nombre de usuario
account-groups = Grupos
account-this-signin = Este inicio de sesión
account-signed-in-at = Sesión iniciada el
account-methods-used = Métodos utilizados
account-kept-signed-in = Sesión mantenida
account-yes = Sí
account-no = No
account-methods = Métodos de inicio de sesión
account-set-up = configurado
account-not-set-up = sin configurar
account-phones = Teléfonos
account-verified = verificado
account-not-verified = sin verificar
account-text-code = Enviarme un código por SMS
account-call-code = Llamarme con un código
account-code-for = Código para el { $number }
account-verify = Verificar
account-remove = Eliminar el { $number }
account-no-phone = Todavía no hay ningún teléfono.
account-add-phone = Añadir un teléfono
account-add-phone-hint = Con el prefijo del país, por ejemplo +34 912 345 678.
account-add-phone-submit = Añadir teléfono
account-methods-unavailable = No se pueden cargar sus métodos de inicio de sesión en este momento.
account-change-password = Cambiar la contraseña
account-current-password = Contraseña actual
account-new-password = Nueva contraseña
account-new-password-again = Repita la nueva contraseña
account-change-password-submit = Cambiar la contraseña
account-sessions = Sesiones activas
account-sign-out-everywhere = Cerrar sesión en todas partes
account-device = Dispositivo
account-ip = Dirección IP
account-signed-in = Inicio de sesión
account-last-active = Última actividad
account-this-browser = este navegador
account-unknown-browser = Navegador desconocido
account-userinfo = Perfil de Okta
account-userinfo-show = Mostrar los datos (claims) que Okta devolvió sobre usted
account-userinfo-unavailable = No se puede cargar su perfil de Okta en este momento.

## The line shown after an account action.
done-password-changed = Se ha cambiado su contraseña.
done-phone-added = Teléfono añadido. Solicite un código y escríbalo para verificar el número.
done-code-sent = Hemos enviado un código a ese teléfono.
done-phone-verified = Teléfono verificado: ya puede iniciar sesión con él.
done-phone-removed = Teléfono eliminado.

## Account form errors.
account-invalid-phone-number = Introduzca el número con el prefijo del país, por ejemplo +34 912 345 678.
account-invalid-phone-choice = Elija uno de sus teléfonos.
account-invalid-current-password = Su contraseña actual no es correcta.
account-invalid-code = Ese código no ha funcionado. Compruébelo e inténtelo de nuevo.
account-invalid-phone-refused = Okta no ha aceptado ese número.
account-invalid-phone-state = No es posible en este momento: el número ya es suyo o el código ha caducado (solicite uno nuevo).
account-invalid-phone-gone = Ese teléfono ya no está en su cuenta.
account-invalid-reauth = No se puede cambiar con este inicio de sesión. Cierre la sesión, vuelva a iniciarla e inténtelo de nuevo.
account-invalid-current-password-empty = Introduzca su contraseña actual.
account-invalid-phone-method = Elija un mensaje de texto o una llamada.
account-invalid-code-digits = Introduzca el código: solo dígitos.
