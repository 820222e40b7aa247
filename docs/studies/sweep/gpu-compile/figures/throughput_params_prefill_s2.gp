set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 252217.165
827088 193955.56
17867008 132574.399
51475968 64392.6732
124439808 63543.5674
EOD
$d1 << EOD
102714 142027.87
827088 132375.318
17867008 37271.5784
51475968 40113.3481
124439808 38221.4907
EOD
plot $d0 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
