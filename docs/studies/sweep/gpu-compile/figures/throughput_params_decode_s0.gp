set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 681.918468
827088 973.317859
17867008 557.894914
51475968 239.569897
124439808 238.833453
EOD
$d1 << EOD
102714 527.035062
827088 403.615468
17867008 159.395725
51475968 230.25725
124439808 143.507816
EOD
plot $d0 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
