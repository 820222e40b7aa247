set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 740.774911
827088 969.375765
17867008 540.609504
51475968 350.159974
124439808 218.112238
EOD
$d1 << EOD
102714 598.591319
827088 547.354826
17867008 160.172284
51475968 175.100768
124439808 151.117025
EOD
plot $d0 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
