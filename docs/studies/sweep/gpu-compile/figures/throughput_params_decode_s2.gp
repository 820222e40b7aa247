set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 2466.21303
827088 3589.94086
17867008 1754.9939
51475968 1135.72321
124439808 1047.62677
EOD
$d1 << EOD
102714 2140.02899
827088 2206.23433
17867008 609.652102
51475968 868.704748
124439808 622.534581
EOD
plot $d0 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
